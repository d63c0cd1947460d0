import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { RateLimitOverrideRow } from '../../projections/rate-limit-overrides/rate-limit-overrides.projection';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { OverrideCommand, overrideDecider } from './rate-limit-override.decider';
import { OverrideSubject, overrideStream, RateLimitOverrideEvent } from './rate-limit-override.events';
import { RateLimiter } from './rate-limiter';

export class GrantOverrideCommand extends Command<RateLimitOverrideRow> {
  constructor(
    readonly ctx: OperatorContext,
    readonly subject: OverrideSubject,
    readonly limit: number,
    readonly expiresAt: string,
    readonly reason: string,
  ) {
    super();
  }
}
export class RevokeOverrideCommand extends Command<RateLimitOverrideRow> {
  constructor(
    readonly ctx: OperatorContext,
    readonly overrideId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/** Load, decide, audit + append (+ the inline read model) in one unit of work: all or nothing. */
abstract class OverrideHandler {
  constructor(
    protected readonly audit: AuditRecorder,
    protected readonly clock: Clock,
    protected readonly limiter: RateLimiter,
  ) {}

  protected async run(
    id: string,
    ctx: OperatorContext,
    action: string,
    reason: string,
    details: Record<string, unknown>,
    command: (now: Date) => OverrideCommand,
  ): Promise<RateLimitOverrideRow> {
    const row = await this.audit.act(
      ctx,
      { action, target: `rate-limit-override:${id}`, reason },
      {
        apply: async (unit) => {
          const history = await unit.uow.readStream(overrideStream(id));
          const state = fold(
            overrideDecider,
            history.map((e) => e as unknown as RateLimitOverrideEvent),
          );
          const events = eventsOrThrow(overrideDecider.decide(command(this.clock.now()), state));
          await unit.record('applied', details);
          // The store folds the override into its inline read model in this unit: read the row back.
          await unit.uow.append(
            overrideStream(id),
            events.map((e) => ({ ...e, metadata: unit.metadata })),
            history.length ? BigInt(history.length - 1) : 'no_stream',
          );
          const { rows } = await sqlOf(unit.uow).query<{ doc: RateLimitOverrideRow }>('SELECT doc FROM rm_rate_limit_overrides WHERE key = $1', [id]);
          return rows[0].doc;
        },
      },
      { conflictRetries: 3 },
    );
    await this.limiter.refreshOverrides();
    return row;
  }
}

@CommandHandler(GrantOverrideCommand)
export class GrantOverrideHandler extends OverrideHandler implements ICommandHandler<GrantOverrideCommand> {
  constructor(audit: AuditRecorder, @Inject(CLOCK) clock: Clock, limiter: RateLimiter) {
    super(audit, clock, limiter);
  }
  execute(c: GrantOverrideCommand) {
    const id = randomUUID();
    return this.run(id, c.ctx, 'rate_limit.override', c.reason, { subject: c.subject, limit: c.limit, expiresAt: c.expiresAt }, (now) => ({
      kind: 'grant',
      overrideId: id,
      subject: c.subject,
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
  constructor(audit: AuditRecorder, @Inject(CLOCK) clock: Clock, limiter: RateLimiter) {
    super(audit, clock, limiter);
  }
  execute(c: RevokeOverrideCommand) {
    return this.run(c.overrideId, c.ctx, 'rate_limit.override_revoke', c.reason, {}, (now) => ({
      kind: 'revoke',
      overrideId: c.overrideId,
      reason: c.reason,
      actor: c.ctx.actor,
      now,
    }));
  }
}
