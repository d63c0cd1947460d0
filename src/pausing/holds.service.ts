import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { PauseRow } from '../../projections/pauses/pause-row';
import { pausesProjection } from '../../projections/pauses/pauses.projection';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { RefreshedRows } from '../shared/refreshed-rows';
import { claimFilter, Hold, holdFor, holdsFor, HoldSource, HoldSubject } from './holds';
import { pauseSource } from './pause-source';

/**
 * The hold check of this process: `holdFor(subject)` over every hold source (operators' pauses of
 * jobs, targets and tenants; more sources plug in with `register`), answered from memory. The
 * pauses are re-read every LOOP_PAUSE_REFRESH_MS and at once after an action through this process;
 * a pause's end at its resumeAt needs no re-read (the hold check compares it with the clock).
 */
@Injectable()
export class Holds implements OnModuleInit, OnApplicationShutdown {
  private readonly rows: RefreshedRows<string, PauseRow>;
  private readonly extra: HoldSource[] = [];

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    store.registerInline(pausesProjection);
    this.rows = new RefreshedRows({
      load: () => this.readRows(),
      key: (r) => r.key,
      everyMs: config.jobs.pauseRefreshMs,
      log,
      event: 'loop_pause.refresh_failed',
      what: 'pauses',
    });
  }

  onModuleInit(): Promise<void> {
    return this.rows.start();
  }

  onApplicationShutdown(): void {
    this.rows.stop();
  }

  /** Another reason to hold subjects (a tenant's maintenance window): asked after the pauses, in registration order. */
  register(source: HoldSource): void {
    this.extra.push(source);
  }

  sources(): HoldSource[] {
    return [pauseSource(this.rows.current()), ...this.extra];
  }

  /** The hold that keeps `subject` from running at `at` (default now), or null. */
  holdFor(subject: HoldSubject, at: Date = this.clock.now()): Hold | null {
    return holdFor(this.sources(), subject, at);
  }

  /** Every hold over `subject` at `at`, the deciding one first. */
  holdsFor(subject: HoldSubject, at: Date = this.clock.now()): Hold[] {
    return holdsFor(this.sources(), subject, at);
  }

  /** What a worker may not claim now: held jobs, and tenants whose every run is held. */
  claimFilter(jobs: readonly string[], at: Date = this.clock.now()) {
    const named = [...this.rows.current().values()].map((r) => r.tenant).filter((t): t is string => t !== null);
    const tenants = [...new Set([...named, ...this.extra.flatMap((s) => s.tenants?.(at) ?? [])])];
    return claimFilter(this.sources(), jobs, tenants, at);
  }

  /** The pause rows as last read (live views fold them with the clock). */
  pauseRows(): ReadonlyMap<string, PauseRow> {
    return this.rows.current();
  }

  async readRows(): Promise<PauseRow[]> {
    const { rows } = await this.pool.query<{ doc: PauseRow }>('SELECT doc FROM rm_pauses ORDER BY key');
    return rows.map((r) => r.doc);
  }

  refresh(): Promise<void> {
    return this.rows.refresh();
  }
}
