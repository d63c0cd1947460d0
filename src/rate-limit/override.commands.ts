import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { rateLimitOverridesProjection, RateLimitOverrideRow } from '../../projections/rate-limit-overrides/rate-limit-overrides.projection';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { PG_POOL } from '../database/database.module';
import { inTransaction } from '../database/transaction';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
import { applyEvents } from '../projection-runner/apply-events';
import { Clock, CLOCK } from '../shared/clock';
import { BadInput, NotFound } from '../shared/errors';
import { decideOverride, evolveOverride, GrantOverride, initialOverrideState, RevokeOverride } from './rate-limit-override.decider';
import { OverrideSubject, overrideStream, RateLimitOverrideEvent } from './rate-limit-override.events';
import { RateLimiter } from './rate-limiter';

export class GrantOverrideCommand extends Command<RateLimitOverrideRow> {
  constructor(readonly ctx: OperatorContext, readonly subject: OverrideSubject, readonly limit: number, readonly expiresAt: string, readonly reason: string) {
    super();
  }
}
export class RevokeOverrideCommand extends Command<RateLimitOverrideRow> {
  constructor(readonly ctx: OperatorContext, readonly overrideId: string, readonly reason: string) {
    super();
  }
}

/** Decide, then audit + append + inline projection in one transaction: all or nothing. */
abstract class OverrideHandler {
  constructor(
    protected readonly store: PostgresEventStore,
    protected readonly pool: Pool,
    protected readonly audit: AuditRecorder,
    protected readonly clock: Clock,
    protected readonly limiter: RateLimiter,
  ) {}

  protected async run(id: string, ctx: OperatorContext, action: string, reason: string, details: Record<string, unknown>, command: (now: Date) => GrantOverride | RevokeOverride): Promise<RateLimitOverrideRow> {
    const row = await inTransaction(this.pool, async (client) => {
      const history = await this.store.readStream(overrideStream(id), {}, client);
      const state = history.map((e) => e as unknown as RateLimitOverrideEvent).reduce(evolveOverride, initialOverrideState);
      const events = decideOverride(command(this.clock.now()), state);
      const meta = await this.audit.recordWith(client, ctx, action, `rate-limit-override:${id}`, reason, details);
      const appended = await this.store.appendWith(client, overrideStream(id), events.map((e) => ({ ...e, metadata: meta })), history.length ? BigInt(history.length - 1) : 'no_stream');
      await applyEvents(client, rateLimitOverridesProjection, appended.events);
      const { rows } = await client.query<{ doc: RateLimitOverrideRow }>('SELECT doc FROM rm_rate_limit_overrides WHERE key = $1', [id]);
      return rows[0].doc;
    });
    await this.limiter.refreshOverrides();
    return row;
  }
}

@CommandHandler(GrantOverrideCommand)
export class GrantOverrideHandler extends OverrideHandler implements ICommandHandler<GrantOverrideCommand> {
  constructor(store: PostgresEventStore, @Inject(PG_POOL) pool: Pool, audit: AuditRecorder, @Inject(CLOCK) clock: Clock, limiter: RateLimiter) {
    super(store, pool, audit, clock, limiter);
  }
  execute(c: GrantOverrideCommand) {
    if (!!c.subject.tenant === !!c.subject.ip) throw BadInput.field('subject', 'must name exactly one of tenant or ip');
    const id = randomUUID();
    return this.run(id, c.ctx, 'rate_limit.override', c.reason, { subject: c.subject, limit: c.limit, expiresAt: c.expiresAt }, (now) => ({
      kind: 'grant',
      overrideId: id,
      subject: c.subject.tenant ? { tenant: c.subject.tenant } : { ip: c.subject.ip },
      limit: c.limit,
      expiresAt: c.expiresAt,
      reason: c.reason,
      actor: c.ctx.actor,
      now,
    }));
  }
}

@CommandHandler(RevokeOverrideCommand)
export class RevokeOverrideHandler extends OverrideHandler implements ICommandHandler<RevokeOverrideCommand> {
  constructor(store: PostgresEventStore, @Inject(PG_POOL) pool: Pool, audit: AuditRecorder, @Inject(CLOCK) clock: Clock, limiter: RateLimiter) {
    super(store, pool, audit, clock, limiter);
  }
  async execute(c: RevokeOverrideCommand) {
    try {
      return await this.run(c.overrideId, c.ctx, 'rate_limit.override_revoke', c.reason, {}, (now) => ({ kind: 'revoke', overrideId: c.overrideId, reason: c.reason, actor: c.ctx.actor, now }));
    } catch (err) {
      if (err instanceof BadInput) throw new NotFound(`no rate-limit override ${c.overrideId}`);
      throw err;
    }
  }
}
