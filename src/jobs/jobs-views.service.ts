import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { jobDefinitionsProjection } from '../../projections/job-definitions/job-definitions.projection';
import { jobRunsProjection } from '../../projections/job-runs/job-runs.projection';
import { workerHistoryProjection } from '../../projections/job-workers/worker-history.projection';
import { inScope } from '../access/tenant-scope';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { Clock, CLOCK } from '../shared/clock';
import { workerLeasesAt } from './views/workers-at';
import { WorkerLeaseRow, workersView } from './views/workers.view';
import { queueTotalsView } from './views/queue-totals.view';
import { queueRetention } from './queue/queue-retention';
import { RunReadModel, visibleDefinitions } from './run-read-model';
import { InventoryContext, inventoryItem, jobSla } from './views/inventory.view';
import { FailedRunGroup, failedRunsOf, failuresSinceLastSuccess, lastSuccessesOf } from './views/failed-runs';
import { runView } from './views/run.view';
import { dailyTrendView } from './views/trend.view';
import type { JobDefinitionRow } from '../../projections/job-definitions/job-definition-row';
import type { JobQueueStats } from './views/inventory.view';
import { lastRunsOf, queueStatsOf, queueViewAt, stateCountsOf } from './views/run-aggregates';
import { failureWindowStart, isFailureLink, unresolvedByDay, unresolvedByJob } from './views/unresolved-failures';
import { pausesProjection } from '../../projections/pauses/pauses.projection';
import { holdFor, HoldSource } from '../pausing/holds';
import { Holds } from '../pausing/holds.service';
import { pauseSource } from '../pausing/pause-source';

/** One job's SLA signals for the attention list, with the queue figures they came from. */
export interface JobSignal {
  readonly name: string;
  readonly tenant: string | null;
  readonly oldestRunningSince: string | null;
  readonly oldestReadyAt: string | null;
  readonly pending: number;
  readonly sla: ReturnType<typeof jobSla>;
}

/** A body and the instant it describes (sent as the X-Opsledger-As-Of header, milliseconds included). */
export interface AsOf<T> {
  readonly asOf: Date;
  readonly body: T;
}

/**
 * The jobs' query API: the bodies of GET /api/jobs and of the /api/system reads (queue, workers,
 * recent runs, terminal runs for the metrics page), live (read models) or as of a past instant
 * (`?at=`: the same projections folded from the log up to then, fed to the same view functions
 * with now = that instant). `tenant` scopes every answer. Other folders read the jobs read models
 * through this class only.
 */
@Injectable()
export class JobsViews {
  constructor(
    private readonly runs: RunReadModel,
    private readonly pit: PointInTime,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly holds: Holds,
  ) {
    pit.use(jobRunsProjection, jobDefinitionsProjection, workerHistoryProjection, pausesProjection);
  }

  /** Every run (never purged) as of `at`, of the caller's tenant. */
  private async runsAt(at: Date, tenant: string | null) {
    return [...(await this.pit.rowsAt(jobRunsProjection, at)).values()].filter((r) => inScope(tenant, r.tenant));
  }

  async inventory(at: Date | null, tenant: string | null): Promise<AsOf<{ jobs: ReturnType<typeof inventoryItem>[] }>> {
    if (at) {
      const [defs, runs, pauses] = await Promise.all([
        this.pit.rowsAt(jobDefinitionsProjection, at),
        this.runsAt(at, tenant),
        this.pit.rowsAt(pausesProjection, at),
      ]);
      const sources: HoldSource[] = [pauseSource(pauses)];
      const stats = queueStatsOf(runs);
      const last = lastRunsOf(runs);
      const from = failureWindowStart(at);
      const unresolved = unresolvedByJob(runs.filter((r) => isFailureLink(r, from)));
      return {
        asOf: at,
        body: {
          jobs: visibleDefinitions(defs.values(), false, tenant).map((d) =>
            inventoryItem(d, stats.get(d.name), last.get(d.name), at, {
              ...this.context(unresolved.get(d.name)),
              hold: holdFor(sources, { tenant: d.definition.tenant, job: d.name }, at),
            }),
          ),
        },
      };
    }
    const now = this.clock.now();
    const [defs, stats, last, links] = await Promise.all([
      this.runs.definitions(false, tenant),
      this.runs.queueStats(tenant),
      this.runs.lastRuns(tenant),
      this.runs.failureLinks(failureWindowStart(now), tenant),
    ]);
    const unresolved = unresolvedByJob(links);
    return {
      asOf: now,
      body: {
        jobs: defs.map((d) =>
          inventoryItem(d, stats.get(d.name), last.get(d.name), now, { ...this.context(unresolved.get(d.name)), hold: this.jobHold(d, now) }),
        ),
      },
    };
  }

  /**
   * What the attention list needs of the jobs, live or as of `at`: each job's SLA signals (the
   * inventory's own `jobSla`, with the queue figures they came from) and the failures of the last
   * FAILURE_WINDOW_DAYS not resolved by a later success of the same job and tenant. Four queries
   * live, one fold of the runs at `at`. `now` lets a caller
   * that reads other models too judge them all at one instant.
   */
  async attentionSignals(
    at: Date | null,
    tenant: string | null,
    now: Date = at ?? this.clock.now(),
  ): Promise<AsOf<{ jobs: JobSignal[]; failedRuns: FailedRunGroup[] }>> {
    const from = failureWindowStart(now);
    let defs: JobDefinitionRow[];
    let stats: Map<string, JobQueueStats>;
    let failedRuns: FailedRunGroup[];
    if (at) {
      const [d, runs] = await Promise.all([this.pit.rowsAt(jobDefinitionsProjection, at), this.runsAt(at, tenant)]);
      defs = visibleDefinitions(d.values(), false, tenant);
      stats = queueStatsOf(runs);
      failedRuns = failuresSinceLastSuccess(failedRunsOf(runs, from), lastSuccessesOf(runs, from));
    } else {
      const [d, s, failed, ok] = await Promise.all([
        this.runs.definitions(false, tenant),
        this.runs.queueStats(tenant),
        this.runs.failedRunsSince(from, tenant),
        this.runs.lastSuccessesSince(from, tenant),
      ]);
      [defs, stats, failedRuns] = [d, s, failuresSinceLastSuccess(failed, ok)];
    }
    const jobs = defs.map((d) => {
      const st = stats.get(d.name);
      return {
        name: d.name,
        tenant: d.definition.tenant,
        oldestRunningSince: st?.oldestRunningSince ?? null,
        oldestReadyAt: st?.oldestReadyAt ?? null,
        pending: st?.pending ?? 0,
        sla: jobSla(d, st, now),
      };
    });
    return { asOf: now, body: { jobs, failedRuns } };
  }

  /** One job's inventory line and 30-day trend (the drill-in), live. */
  async detail(def: JobDefinitionRow, tenant: string | null, now: Date) {
    const from = failureWindowStart(now);
    const [stats, last, trend, links] = await Promise.all([
      this.runs.queueStats(tenant),
      this.runs.lastRuns(tenant),
      this.runs.dailyTrend(def.name, now),
      this.runs.failureLinks(from, tenant, def.name),
    ]);
    return {
      job: inventoryItem(def, stats.get(def.name), last.get(def.name), now, {
        ...this.context(unresolvedByJob(links).get(def.name)),
        hold: this.jobHold(def, now),
      }),
      trend: dailyTrendView(trend, now, unresolvedByDay(links)),
    };
  }

  /** What holds the job's runs now (the hold check; a shared job's runs for a paused tenant are held per run, not shown here). */
  private jobHold(d: JobDefinitionRow, now: Date) {
    return this.holds.holdFor({ tenant: d.definition.tenant, job: d.name }, now);
  }

  private context(unresolvedFailures = 0): InventoryContext {
    return { unresolvedFailures, defaultStuckAfterMs: this.config.jobs.janitorStuckAfterMs };
  }

  async queueTotals(at: Date | null, tenant: string | null): Promise<AsOf<ReturnType<typeof queueTotalsView>>> {
    if (at) return { asOf: at, body: queueTotalsView(stateCountsOf(queueViewAt(await this.runsAt(at, tenant), at, queueRetention(this.config.jobs)))) };
    const now = this.clock.now();
    return { asOf: now, body: queueTotalsView(await this.runs.stateCounts(tenant)) };
  }

  async workers(at: Date | null, tenant: string | null): Promise<AsOf<{ workers: ReturnType<typeof workersView> }>> {
    const offline = this.config.jobs.workerOfflineMs;
    if (at) {
      const [history, runs] = await Promise.all([this.pit.rowsAt(workerHistoryProjection, at), this.runsAt(at, tenant)]);
      return { asOf: at, body: { workers: workersView(workerLeasesAt(history.values(), runs, at, this.config.jobs.workerReapAfterMs), at, offline) } };
    }
    const now = this.clock.now();
    const { rows } = await this.pool.query(`SELECT * FROM job_workers ORDER BY started_at DESC`);
    let lease: WorkerLeaseRow[] = rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: r.pid,
      mode: r.mode,
      version: r.version,
      concurrency: r.concurrency,
      startedAt: r.started_at,
      lastSeen: r.last_seen,
      processed: Number(r.processed),
      failed: Number(r.failed),
      current: r.current,
      stoppedAt: r.stopped_at,
    }));
    if (tenant !== null) {
      // Workers are shared; a scoped caller sees only its own runs among what they are running.
      const mine = await this.pool.query<{ key: string }>(`SELECT key FROM rm_job_queue WHERE state IN ('running', 'cancelling') AND tenant = $1`, [tenant]);
      const keys = new Set(mine.rows.map((r) => r.key));
      lease = lease.map((w) => ({ ...w, current: w.current.filter((c) => keys.has(c.runId)) }));
    }
    return { asOf: now, body: { workers: workersView(lease, now, offline) } };
  }

  /** The last `limit` runs across all jobs, newest first. */
  async recentRuns(tenant: string | null, limit = 50): Promise<{ runs: ReturnType<typeof runView>[] }> {
    return { runs: (await this.runs.list({ tenant }, limit)).map((r) => runView(r)) };
  }

  /** Runs that finished (succeeded or failed) since `from`, for the success-rate and duration figures. */
  terminalRunsSince(from: Date, tenant: string | null) {
    return this.runs.terminalRunsSince(from, tenant);
  }
}
