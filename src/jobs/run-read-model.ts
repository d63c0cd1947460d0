import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { inScope } from '../access/tenant-scope';
import type { JobDefinitionRow } from '../../projections/job-definitions/job-definition-row';
import { evolveRunRow } from '../../projections/job-runs/job-runs.projection';
import type { RunRow } from '../../projections/job-runs/run-row';
import { PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import type { RecordedEvent } from '../event-store/envelope';
import { runStream } from './events/run.events';
import { ListedRun, RunSearch, searchRuns } from './run-search';
import type { RunStatus } from './run.state';
import type { JobQueueStats, LastRun } from './views/inventory.view';
import type { RunLink } from './views/unresolved-failures';
import type { FailedRun, LastSuccess } from './views/failed-runs';

type Row = Omit<RunRow, 'logTail'> & { logTail?: string | null };

/**
 * Reads runs from the live queue (inline, always current, no log tail, trimmed by the janitor) and
 * the history (async, complete, with log tails), preferring the queue's copy when both have one.
 */
@Injectable()
export class RunReadModel {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** A run folded from its own stream (always current), with its events. */
  async run(runId: string): Promise<{ row: RunRow; events: RecordedEvent[] } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) return null;
    const events = await this.store.readStream(runStream(runId));
    let row: RunRow | null = null;
    for (const e of events) row = evolveRunRow(row, e);
    return row ? { row, events } : null;
  }

  async list(filter: { state?: RunStatus; job?: string; tenant?: string | null }, limit: number): Promise<Row[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) where.push(`state = $${params.push(filter.state)}`);
    if (filter.job) where.push(`job = $${params.push(filter.job)}`);
    if (filter.tenant) where.push(`tenant = $${params.push(filter.tenant)}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    params.push(limit);
    const [q, h] = await Promise.all([
      this.pool.query<{ doc: Row }>(`SELECT doc FROM rm_job_queue ${w} ORDER BY enqueued_at DESC LIMIT $${params.length}`, params),
      this.pool.query<{ doc: Row }>(`SELECT doc FROM rm_job_runs ${w} ORDER BY enqueued_at DESC LIMIT $${params.length}`, params),
    ]);
    return mergeRuns(
      q.rows.map((r) => r.doc),
      h.rows.map((r) => r.doc),
      limit,
    );
  }

  /** One page of GET /api/runs: every filter, keyset-paged (run-search.ts). */
  search(filter: RunSearch, limit: number): Promise<{ runs: ListedRun[]; nextCursor: string | null }> {
    return searchRuns(this.pool, filter, limit);
  }

  /** Defined jobs by name; a tenant-scoped caller sees the jobs whose definition names its tenant. */
  async definitions(includeRemoved = false, tenant: string | null = null): Promise<JobDefinitionRow[]> {
    const { rows } = await this.pool.query<{ doc: JobDefinitionRow }>(`SELECT doc FROM rm_job_definitions`);
    return visibleDefinitions(
      rows.map((r) => r.doc),
      includeRemoved,
      tenant,
    );
  }

  /** The caller's definition of `name`, or null when it does not exist for the caller (404). */
  async definition(name: string, tenant: string | null): Promise<JobDefinitionRow | null> {
    const { rows } = await this.pool.query<{ doc: JobDefinitionRow }>(`SELECT doc FROM rm_job_definitions WHERE key = $1`, [name]);
    return (
      visibleDefinitions(
        rows.map((r) => r.doc),
        false,
        tenant,
      )[0] ?? null
    );
  }

  /** `tenant` (a scoped caller) limits every aggregate below to that tenant's runs; null: all. */
  async queueStats(tenant: string | null = null): Promise<Map<string, JobQueueStats>> {
    const { rows } = await this.pool.query<{ job: string; pending: number; running: number; oldest_running: Date | null; oldest_ready: Date | null }>(
      `SELECT job, count(*) FILTER (WHERE state IN ('pending', 'retrying'))::int AS pending,
              count(*) FILTER (WHERE state IN ('running', 'cancelling'))::int AS running,
              min(claimed_at) FILTER (WHERE state IN ('running', 'cancelling')) AS oldest_running,
              min(ready_at) FILTER (WHERE state IN ('pending', 'retrying')) AS oldest_ready
         FROM rm_job_queue WHERE state IN ('pending', 'retrying', 'running', 'cancelling') AND ($1::text IS NULL OR tenant = $1) GROUP BY job`,
      [tenant],
    );
    return new Map(
      rows.map((r) => [
        r.job,
        {
          pending: r.pending,
          running: r.running,
          oldestRunningSince: r.oldest_running?.toISOString() ?? null,
          oldestReadyAt: r.oldest_ready?.toISOString() ?? null,
        },
      ]),
    );
  }

  async lastRuns(tenant: string | null = null): Promise<Map<string, LastRun>> {
    const sql = (
      t: string,
    ) => `SELECT DISTINCT ON (job) job, key, state, coalesce(finished_at, claimed_at, enqueued_at) AS at, (doc->>'durationMs')::int AS duration, enqueued_at
      FROM ${t} WHERE $1::text IS NULL OR tenant = $1 ORDER BY job, enqueued_at DESC`;
    const [q, h] = await Promise.all([this.pool.query(sql('rm_job_queue'), [tenant]), this.pool.query(sql('rm_job_runs'), [tenant])]);
    const out = new Map<string, LastRun & { enqueued: number }>();
    // History first, then the queue: for the same run the queue's state is the fresher one.
    for (const r of [...h.rows, ...q.rows]) {
      const cur = out.get(r.job);
      const enqueued = (r.enqueued_at as Date).getTime();
      if (!cur || enqueued >= cur.enqueued)
        out.set(r.job, { runId: r.key, state: r.state, at: (r.at as Date).toISOString(), durationMs: r.duration, enqueued });
    }
    return out;
  }

  async stateCounts(tenant: string | null = null): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM rm_job_queue WHERE $1::text IS NULL OR tenant = $1 GROUP BY state`,
      [tenant],
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async dailyTrend(job: string, now: Date, days = 30): Promise<{ day: string; runs: number; failures: number }[]> {
    const { rows } = await this.pool.query<{ day: string; runs: number; failures: number }>(
      `SELECT to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS runs, count(*) FILTER (WHERE state = 'failed')::int AS failures
         FROM rm_job_runs WHERE job = $1 AND state IN ('succeeded', 'failed') AND finished_at > $2::timestamptz - make_interval(days => $3)
        GROUP BY 1`,
      [job, now.toISOString(), days],
    );
    return rows;
  }

  /**
   * The failed runs and the retry runs that finished after `from` (what resolving failures needs):
   * from the history, with the queue's fresher copy of each run still in it (the history lags).
   */
  async failureLinks(from: Date, tenant: string | null = null, job: string | null = null): Promise<RunLink[]> {
    const sql = (t: string) => `SELECT key, job, state, doc->>'retryOf' AS retry_of, finished_at FROM ${t}
        WHERE finished_at > $1 AND (state = 'failed' OR doc->>'retryOf' IS NOT NULL)
          AND ($2::text IS NULL OR tenant = $2) AND ($3::text IS NULL OR job = $3)`;
    type LinkRow = { key: string; job: string; state: string; retry_of: string | null; finished_at: Date };
    const params = [from.toISOString(), tenant, job];
    const [h, q] = await Promise.all([this.pool.query<LinkRow>(sql('rm_job_runs'), params), this.pool.query<LinkRow>(sql('rm_job_queue'), params)]);
    const byId = new Map<string, RunLink>();
    for (const r of [...h.rows, ...q.rows])
      byId.set(r.key, { runId: r.key, job: r.job, state: r.state, retryOf: r.retry_of, finishedAt: r.finished_at.toISOString() });
    return [...byId.values()];
  }

  /** Runs that failed for good after `from`, from the queue (fresh) and the history (complete); one query. */
  async failedRunsSince(from: Date, tenant: string | null = null): Promise<FailedRun[]> {
    const part = (t: string) => `SELECT key, job, tenant, finished_at, doc->>'error' AS error FROM ${t}
        WHERE state = 'failed' AND finished_at > $1 AND ($2::text IS NULL OR tenant = $2)`;
    const { rows } = await this.pool.query<{ key: string; job: string; tenant: string | null; finished_at: Date; error: string | null }>(
      `${part('rm_job_queue')} UNION ${part('rm_job_runs')}`,
      [from.toISOString(), tenant],
    );
    return rows.map((r) => ({ runId: r.key, job: r.job, tenant: r.tenant, finishedAt: r.finished_at.toISOString(), error: r.error }));
  }

  /** Each job's (and tenant's) latest success after `from`, over the queue and the history; one query. */
  async lastSuccessesSince(from: Date, tenant: string | null = null): Promise<LastSuccess[]> {
    const part = (t: string) =>
      `SELECT job, tenant, finished_at FROM ${t} WHERE state = 'succeeded' AND finished_at > $1 AND ($2::text IS NULL OR tenant = $2)`;
    const { rows } = await this.pool.query<{ job: string; tenant: string | null; at: Date }>(
      `SELECT job, tenant, max(finished_at) AS at FROM (${part('rm_job_queue')} UNION ALL ${part('rm_job_runs')}) s GROUP BY job, tenant`,
      [from.toISOString(), tenant],
    );
    return rows.map((r) => ({ job: r.job, tenant: r.tenant, at: r.at.toISOString() }));
  }

  async terminalRunsSince(
    from: Date,
    tenant: string | null = null,
  ): Promise<{ job: string; state: 'succeeded' | 'failed'; durationMs: number | null; finishedAt: string }[]> {
    const { rows } = await this.pool.query(
      `SELECT job, state, (doc->>'durationMs')::int AS duration, finished_at FROM rm_job_runs WHERE finished_at > $1 AND state IN ('succeeded', 'failed') AND ($2::text IS NULL OR tenant = $2)`,
      [from.toISOString(), tenant],
    );
    return rows.map((r) => ({ job: r.job, state: r.state, durationMs: r.duration, finishedAt: (r.finished_at as Date).toISOString() }));
  }
}

/** Queue copies win (fresher state), history fills in the log tail; newest first, `limit` at most. */
export function mergeRuns(queue: readonly Row[], history: readonly Row[], limit: number): Row[] {
  const byId = new Map<string, Row>();
  for (const h of history) byId.set(h.runId, h);
  for (const q of queue) {
    const h = byId.get(q.runId);
    // The history may lag the queue by a moment; its log tail is the best there is meanwhile.
    byId.set(q.runId, { ...q, logTail: h?.logTail ?? null });
  }
  return [...byId.values()].sort((a, b) => (a.enqueuedAt < b.enqueuedAt ? 1 : a.enqueuedAt > b.enqueuedAt ? -1 : 0)).slice(0, limit);
}

/** Not removed (unless asked), of the caller's tenant when scoped, by name in code-point order (same in SQL-free `?at=` answers). */
export function visibleDefinitions(defs: Iterable<JobDefinitionRow>, includeRemoved: boolean, tenant: string | null): JobDefinitionRow[] {
  return [...defs]
    .filter((d) => (includeRemoved || !d.removedAt) && inScope(tenant, d.definition.tenant))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
