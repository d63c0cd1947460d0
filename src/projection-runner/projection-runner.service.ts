import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Projection } from '../../projections/projection';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL, PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { LOGGER } from '../shared/logger';
import type { Queryable } from '../event-store/postgres/postgres-event-store';
import { requestRebuild } from './checkpoint-store';
import { ProjectionRegistry } from './projection-registry';
import { projectionStatus, ProjectionStatus } from './projection-status';
import { ProjectionWorker } from './projection-worker';
import { rebuildTogetherHere } from './rebuild-together';
import type { RebuildProgress, RunnerEventSource, WorkerOptions } from './runner-deps';

/**
 * Runs every registered projection in this process (APP_MODE all or server): one worker each,
 * which runs only while it holds the projection's advisory lock, so across all processes
 * exactly one runner applies each projection. Status and rebuild requests work from any process.
 */
@Injectable()
export class ProjectionRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly workers = new Map<string, ProjectionWorker>();
  private running = false;

  constructor(
    private readonly registry: ProjectionRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: RunnerEventSource & Pick<EventStore, 'head' | 'countAfter'>,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  get options(): WorkerOptions {
    const c = this.config.core;
    return {
      batchSize: c.projectionBatchSize,
      rebuildBatchSize: Math.max(c.projectionBatchSize, 1000),
      pollMs: c.projectionPollMs,
      retryMs: c.projectionRetryMs,
      lockRetryMs: Math.max(c.projectionPollMs, 250),
      autoRebuild: c.projectionsAutoRebuild,
      swapLockTimeoutMs: 2000,
    };
  }

  onApplicationBootstrap(): void {
    const { appMode, projectionRunnerAutostart } = this.config.core;
    if (projectionRunnerAutostart && (appMode === 'all' || appMode === 'server')) this.start();
  }

  /** Starts a worker for each registered projection that has none yet (call again after registering more). */
  start(): void {
    this.running = true;
    for (const p of this.registry.all()) {
      if (this.workers.has(p.name)) continue;
      const w = this.makeWorker(p);
      this.workers.set(p.name, w);
      w.start();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    const ws = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(ws.map((w) => w.stop()));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Runs before the pool is closed (DatabaseModule closes it in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  projection(name: string): Projection | undefined {
    return this.registry.get(name);
  }

  status(): Promise<ProjectionStatus[]> {
    return projectionStatus(this.pool, this.store, this.registry.all());
  }

  /** Records the request; the process that runs the projection picks it up within a poll. */
  /** With `db` (an operator action's unit), the request commits with its audit entry. */
  requestRebuild(name: string, reason: string, db: Queryable = this.pool): Promise<Date> {
    const p = this.registry.get(name);
    if (!p) throw new Error(`no projection named "${name}"`);
    return requestRebuild(db, name, p.version, reason);
  }

  /**
   * Rebuilds here and now when no process runs the projection (the CLI with the service down);
   * false when another process holds it (then use requestRebuild and watch the status).
   */
  async rebuildHere(name: string, reason: string, onProgress?: (p: RebuildProgress) => void): Promise<boolean> {
    const p = this.registry.get(name);
    if (!p) throw new Error(`no projection named "${name}"`);
    if (this.workers.has(name)) return false;
    return this.makeWorker(p, onProgress).rebuildHere(reason);
  }

  /**
   * Rebuilds every registered projection that no process runs, here and now, with one read of the
   * log for all of them (after a restore). Returns the names rebuilt.
   */
  rebuildAllHere(reason: string, onProgress?: (p: RebuildProgress) => void): Promise<string[]> {
    const idle = this.registry.all().filter((p) => !this.workers.has(p.name));
    return rebuildTogetherHere(
      idle.map((p) => this.makeWorker(p, onProgress)),
      reason,
    );
  }

  private makeWorker(projection: Projection, onRebuildProgress?: (p: RebuildProgress) => void): ProjectionWorker {
    return new ProjectionWorker({
      pool: this.pool,
      store: this.store,
      databaseUrl: this.databaseUrl,
      projection,
      log: this.log,
      options: this.options,
      onRebuildProgress,
    });
  }
}
