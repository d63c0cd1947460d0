import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { migrations } from '../../migrations';
import { PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRunnerService } from '../projection-runner/projection-runner.service';
import { migrationStatus, MigrationStatus } from './migration-status';

/** Migrations (code vs the migrations table), the last migration run, and every projection's version and rebuild. */
export class GetMigrationStatusQuery extends Query<MigrationStatus> {}

@QueryHandler(GetMigrationStatusQuery)
export class GetMigrationStatusHandler implements IQueryHandler<GetMigrationStatusQuery, MigrationStatus> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionRunnerService,
  ) {}

  async execute(): Promise<MigrationStatus> {
    const [applied, lastRun, projections, head] = await Promise.all([
      this.pool.query<{ name: string; applied_at: Date | null }>('SELECT name, applied_at FROM migrations ORDER BY timestamp'),
      this.pool.query<{ started_at: Date; finished_at: Date; applied: string[]; error: string | null; instance: string }>(
        'SELECT * FROM migration_runs ORDER BY id DESC LIMIT 1',
      ),
      this.runner.status(),
      this.store.head(),
    ]);
    const run = lastRun.rows[0];
    return migrationStatus({
      // TypeORM's rule: a migration's timestamp is the number its class name ends with.
      code: migrations.map((m) => ({ name: m.name, timestamp: Number(/\d{13}$/.exec(m.name)?.[0] ?? 0) })),
      applied: applied.rows.map((r) => ({ name: r.name, appliedAt: r.applied_at })),
      lastRun: run ? { startedAt: run.started_at, finishedAt: run.finished_at, applied: run.applied, error: run.error, instance: run.instance } : null,
      projections,
      head: Number(head?.position ?? 0n),
    });
  }
}
