import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { LoopPauseRow, loopPausesProjection, pauseHolds } from '../../projections/loop-pauses/loop-pauses.projection';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { RefreshedRows } from '../shared/refreshed-rows';
import { LoopPauseCommand, loopPauseDecider } from './loop-pause.decider';
import { LoopPauseEvent, loopPauseStream, PausableLoop } from './loop-pause.events';

/**
 * Operators pause and resume the whole job worker or the poll scheduler. Each action is one unit
 * of work (audit entry + LoopPaused/LoopResumed + the inline row). The loops ask `holds(loop)`
 * on every turn: answered from memory, re-read every LOOP_PAUSE_REFRESH_MS and at once after an
 * action taken through this process.
 */
@Injectable()
export class LoopPauses implements OnModuleInit, OnApplicationShutdown {
  private readonly rows: RefreshedRows<string, LoopPauseRow>;

  constructor(
    private readonly audit: AuditRecorder,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    store.registerInline(loopPausesProjection);
    this.rows = new RefreshedRows({
      load: () => this.all(),
      key: (r) => r.loop,
      everyMs: config.jobs.pauseRefreshMs,
      log,
      event: 'loop_pause.refresh_failed',
      what: 'loop pauses',
    });
  }

  onModuleInit(): Promise<void> {
    return this.rows.start();
  }

  onApplicationShutdown(): void {
    this.rows.stop();
  }

  /** The pause that holds now for `loop`, or null. */
  holds(loop: PausableLoop): LoopPauseRow | null {
    const r = this.rows.current().get(loop);
    return r && pauseHolds(r, this.clock.now()) ? r : null;
  }

  async all(): Promise<LoopPauseRow[]> {
    const { rows } = await this.pool.query<{ doc: LoopPauseRow }>('SELECT doc FROM rm_loop_pauses ORDER BY key');
    return rows.map((r) => r.doc);
  }

  refresh(): Promise<void> {
    return this.rows.refresh();
  }

  pause(loop: PausableLoop, op: OperatorContext, reason: string, resumeAt: string | null) {
    return this.act(loop, op, 'loop.pause', reason, { resumeAt }, (now) => ({ kind: 'pause', loop, reason, resumeAt, actor: op.actor, now }));
  }

  resume(loop: PausableLoop, op: OperatorContext, reason: string) {
    return this.act(loop, op, 'loop.resume', reason, {}, (now) => ({ kind: 'resume', loop, reason, actor: op.actor, now }));
  }

  private async act(
    loop: PausableLoop,
    op: OperatorContext,
    action: string,
    reason: string,
    details: Record<string, unknown>,
    command: (now: Date) => LoopPauseCommand,
  ): Promise<LoopPauseRow> {
    const row = await this.audit.act(
      op,
      { action, target: loop, reason },
      {
        apply: async (unit) => {
          const history = await unit.uow.readStream(loopPauseStream(loop));
          const state = fold(
            loopPauseDecider,
            history.map((e) => e as unknown as LoopPauseEvent),
          );
          const events = eventsOrThrow(loopPauseDecider.decide(command(this.clock.now()), state));
          await unit.record('applied', details);
          await unit.uow.append(
            loopPauseStream(loop),
            events.map((e) => ({ ...e, metadata: unit.metadata })),
            history.length ? BigInt(history.length - 1) : 'no_stream',
          );
          const { rows } = await sqlOf(unit.uow).query<{ doc: LoopPauseRow }>('SELECT doc FROM rm_loop_pauses WHERE key = $1', [loop]);
          return rows[0].doc;
        },
      },
      { conflictRetries: 3 },
    );
    await this.refresh(); // the audit line (audit.loop.pause / audit.loop.resume) says who and why
    return row;
  }
}
