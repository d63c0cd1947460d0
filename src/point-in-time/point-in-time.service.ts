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
import { lastSnapshot, snapshotBefore, takeSnapshot, thinSnapshots } from './snapshot-store';

const BATCH = 10_000;

/**
 * "What did this endpoint say at T": the same projections folded in memory over the events up to
 * T, starting from the newest snapshot before T, then handed to the endpoint's own view function.
 * Endpoints register the projections they need; one process snapshots them every
 * PIT_SNAPSHOT_INTERVAL_MS, and sooner once PIT_SNAPSHOT_EVERY_EVENTS events came after the last
 * snapshot (a busy log gets more snapshots, a quiet one no more than before: ADR 0016).
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
    const pit = this.config.pointInTime;
    this.loop = new TimedLoop({
      everyMs: pit.snapshotEveryEvents > 0 ? Math.min(pit.snapshotIntervalMs, pit.snapshotCheckMs) : pit.snapshotIntervalMs,
      unref: true,
      step: async () => {
        if (!(await this.lock.tryAcquire())) return;
        await this.snapshotDue();
        await thinSnapshots(this.pool, pit.snapshotKeepDays);
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
    return this.snapshotWhere(async () => true);
  }

  /**
   * Snapshots each wanted projection whose last snapshot is PIT_SNAPSHOT_INTERVAL_MS old, or has
   * PIT_SNAPSHOT_EVERY_EVENTS events after it (counted up to that many, through the port).
   */
  async snapshotDue(): Promise<string[]> {
    const { snapshotIntervalMs, snapshotEveryEvents } = this.config.pointInTime;
    return this.snapshotWhere(async (p) => {
      const last = await lastSnapshot(this.pool, p);
      if (!last || Date.now() - last.takenAt.getTime() >= snapshotIntervalMs) return true;
      return snapshotEveryEvents > 0 && (await this.store.countAfter(last.checkpoint, snapshotEveryEvents)) >= snapshotEveryEvents;
    });
  }

  private async snapshotWhere(due: (p: Projection) => Promise<boolean>): Promise<string[]> {
    const taken: string[] = [];
    for (const name of this.wanted) {
      const p = this.registry.get(name);
      if (p && (await due(p)) && (await takeSnapshot(this.store, this.pool, p))) taken.push(name);
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
    // recorded_at is set at insert and commit order follows later: look back past the snapshot by the settle time.
    const since = snap ? new Date(snap.lastEventAt.getTime() - this.config.pointInTime.settledAfterMs) : new Date(0);
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
