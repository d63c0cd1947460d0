import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { PurgeRow } from '../../projections/cache-purges/purge-row';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { NotFound } from '../shared/errors';
import { CacheClients } from './cache-clients';
import { PurgeCommand, purgeDecider } from './cache-purge.decider';
import { CachePurgeEvent, PurgeMatch } from './cache-purge.events';
import { describeMatch, purgeSlotStream } from './purge-slot';
import { PurgeRunner } from './purge-runner';

export class StartPurgeCommand extends Command<PurgeRow> {
  constructor(
    readonly ctx: OperatorContext,
    readonly cache: string,
    readonly match: PurgeMatch,
    readonly confirmAll: boolean,
    readonly reason: string,
  ) {
    super();
  }
}
export class CancelPurgeCommand extends Command<PurgeRow> {
  constructor(
    readonly ctx: OperatorContext,
    readonly cache: string,
    readonly purgeId: string,
    readonly reason: string,
  ) {
    super();
  }
}

const noCache = (name: string) => new NotFound(`no cache named "${name}"; GET /api/caches lists them (CACHES)`);
const noPurge = (id: string) => new NotFound(`no cache purge ${id}`);

/** The audited unit of a purge step taken by an operator: decide on the slot, append, read the row back. */
async function onSlot(
  audit: AuditRecorder,
  ctx: OperatorContext,
  action: { action: string; target: string; reason: string },
  stream: string,
  purgeId: string,
  command: () => PurgeCommand,
  details: Record<string, unknown>,
) {
  return audit.act(
    ctx,
    action,
    {
      apply: async (unit) => {
        const history = await unit.uow.readStream(stream);
        const events = eventsOrThrow(
          purgeDecider.decide(
            command(),
            fold(
              purgeDecider,
              history.map((e) => e as unknown as CachePurgeEvent),
            ),
          ),
        );
        await unit.record('applied', details);
        await unit.uow.append(
          stream,
          events.map((e) => ({ ...e, metadata: unit.metadata })),
          history.length ? BigInt(history.length - 1) : 'no_stream',
        );
        const { rows } = await sqlOf(unit.uow).query<{ doc: PurgeRow }>('SELECT doc FROM rm_cache_purges WHERE key = $1', [purgeId]);
        return { row: rows[0].doc, metadata: unit.metadata };
      },
    },
    { conflictRetries: 3 },
  );
}

@CommandHandler(StartPurgeCommand)
export class StartPurgeHandler implements ICommandHandler<StartPurgeCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly clients: CacheClients,
    private readonly runner: PurgeRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: StartPurgeCommand): Promise<PurgeRow> {
    if (!this.clients.find(c.cache)) throw noCache(c.cache);
    const purgeId = randomUUID();
    const stream = purgeSlotStream(c.cache, c.match);
    const { row, metadata } = await onSlot(
      this.audit,
      c.ctx,
      { action: 'cache.purge', target: `cache:${c.cache}`, reason: c.reason },
      stream,
      purgeId,
      () => ({
        kind: 'start',
        purgeId,
        cache: c.cache,
        match: c.match,
        confirmAll: c.confirmAll,
        reason: c.reason,
        actor: c.ctx.actor,
        now: this.clock.now(),
        staleMs: this.config.caches.purgeStaleMs,
      }),
      { purgeId, ...c.match, what: describeMatch(c.match) },
    );
    // Committed: the purge runs in this process, tracked by its events.
    this.runner.start({
      purgeId,
      cache: c.cache,
      match: c.match,
      stream,
      metadata: { actor: 'cache-purge', causationId: metadata.causationId, correlationId: metadata.correlationId },
    });
    return row;
  }
}

@CommandHandler(CancelPurgeCommand)
export class CancelPurgeHandler implements ICommandHandler<CancelPurgeCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly clients: CacheClients,
    private readonly runner: PurgeRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(c: CancelPurgeCommand): Promise<PurgeRow> {
    if (!this.clients.find(c.cache)) throw noCache(c.cache);
    const row = await this.audit.act(
      c.ctx,
      { action: 'cache.purge_cancel', target: `cache:${c.cache}`, reason: c.reason },
      {
        apply: async (unit) => {
          const { rows } = await sqlOf(unit.uow).query<{ doc: PurgeRow }>('SELECT doc FROM rm_cache_purges WHERE key = $1 AND cache = $2', [
            c.purgeId,
            c.cache,
          ]);
          if (!rows[0]) throw noPurge(c.purgeId);
          const stream = purgeSlotStream(c.cache, rows[0].doc.match);
          // The entry first (a rejection below rolls it back with the rest): from reading the slot to
          // appending to it stays short, so the purge's own progress steps rarely move it in between.
          await unit.record('applied', { purgeId: c.purgeId });
          const history = await unit.uow.readStream(stream);
          const events = eventsOrThrow(
            purgeDecider.decide(
              { kind: 'cancel', purgeId: c.purgeId, cache: c.cache, reason: c.reason, actor: c.ctx.actor, now: this.clock.now() },
              fold(
                purgeDecider,
                history.map((e) => e as unknown as CachePurgeEvent),
              ),
            ),
          );
          await unit.uow.append(
            stream,
            events.map((e) => ({ ...e, metadata: unit.metadata })),
            BigInt(history.length - 1),
          );
          return (await sqlOf(unit.uow).query<{ doc: PurgeRow }>('SELECT doc FROM rm_cache_purges WHERE key = $1', [c.purgeId])).rows[0].doc;
        },
      },
      { conflictRetries: 10 },
    );
    // Running here: stop now. Elsewhere: its process sees the request at its next progress step.
    this.runner.cancel(c.purgeId);
    return row;
  }
}
