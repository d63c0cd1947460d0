import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { foldInMemory, Projection } from '../../projections/projection';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL, PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { hashedLockKey, LeaderLock } from '../database/leader-lock';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { Clock, CLOCK, rfc3339 } from '../shared/clock';
import { BadInput } from '../shared/errors';
import { LOGGER } from '../shared/logger';
import { TimedLoop } from '../shared/timed-loop';
import { snapshotBefore, takeSnapshot, thinSnapshots } from './snapshot-store';

/** recorded_at is set at insert, commit order follows later: look this far back past a snapshot. */
const RECORDED_AT_SLACK_MS = 60_000;
const BATCH = 10_000;

/**
 * "What did this endpoint say at T": the same projections folded in memory over the events up to
 * T, starting from the newest snapshot before T, then handed to the endpoint's own view function.
 * Endpoints register the projections they need; one process snapshots them at intervals.
 */
@Injectable()
export class PointInTime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly wanted = new Set<string>();
  private readonly lock: LeaderLock;
  private loop: TimedLoop | null = null;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_URL) databaseUrl: string,
    private readonly registry: ProjectionRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    // The key it has always had, so old and new processes exclude each other during a deploy.
    this.lock = new LeaderLock({ databaseUrl, key: hashedLockKey('opsledger.projection:pit-snapshotter'), name: 'pit-snapshotter', log });
  }

  /** Declares that some `?at=` answer folds this projection, so it gets snapshotted. */
  use(...projections: Projection[]): void {
    for (const p of projections) this.wanted.add(p.name);
  }

  onApplicationBootstrap(): void {
    if (this.config.core.appMode === 'worker' || !this.config.core.projectionRunnerAutostart) return;
    this.loop = new TimedLoop({
      everyMs: this.config.pointInTime.snapshotIntervalMs,
      unref: true,
      step: async () => {
        if (!(await this.lock.tryAcquire())) return;
        await this.snapshotNow();
        await thinSnapshots(this.pool, this.config.pointInTime.snapshotKeepDays);
      },
      onError: (err) => this.log.warn({ event: 'snapshot.failed', err: String(err) }, 'read-model snapshot failed'),
    });
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    await this.lock.release();
  }

  /** Snapshots every wanted projection that moved since its last snapshot. */
  async snapshotNow(): Promise<string[]> {
    const taken: string[] = [];
    for (const name of this.wanted) {
      const p = this.registry.get(name);
      if (p && (await takeSnapshot(this.store, this.pool, p))) taken.push(name);
    }
    return taken;
  }

  /**
   * Parses `?at=`: an RFC 3339 time between the first event and now, else 400 naming the valid
   * range. Returns null when the parameter is absent (the live answer).
   */
  async parseAt(raw: string | undefined): Promise<Date | null> {
    if (raw === undefined) return null;
    const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ? new Date(raw) : new Date(NaN);
    const first = await this.store.oldestRecordedAt();
    const now = this.clock.now();
    const range = first ? `from ${rfc3339(first)} (the first event) to now (${rfc3339(now)})` : 'none yet: the log is empty';
    if (Number.isNaN(at.getTime())) throw BadInput.field('at', `must be an RFC 3339 timestamp; valid range: ${range}`);
    if (!first || at < first || at > now) throw BadInput.field('at', `is outside the recorded history; valid range: ${range}`);
    return at;
  }

  /**
   * The rows of `projection` as they stood at `at`: the snapshot's rows, then the events after its
   * checkpoint, read in one snapshot of the log (a consistent cut).
   */
  async rowsAt<Row>(projection: Projection<Row>, at: Date): Promise<Map<string, Row>> {
    const snap = await snapshotBefore(this.pool, projection, at);
    const rows = snap?.rows ?? new Map<string, Row>();
    const since = snap ? new Date(snap.lastEventAt.getTime() - RECORDED_AT_SLACK_MS) : new Date(0);
    await this.store.atSnapshot(async (log) => {
      for await (const batch of log.scan(
        { types: projection.canHandle, recordedAt: { gt: since, lte: at } },
        { from: snap?.checkpoint ?? null, pageSize: BATCH },
      )) {
        foldInMemory(projection, batch, rows);
      }
    });
    return rows;
  }
}
