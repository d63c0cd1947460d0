import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CronProblemsSource, QueueSnapshotSource } from '../alerts/alert-sources';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { MetricsService } from '../metrics/metrics.service';
import { Clock, CLOCK } from '../shared/clock';
import { cronProblems } from './cron/cron-problems';
import { readQueueFigures } from './queue-snapshot';
import { RunReadModel } from './run-read-model';

/** Terminal outcomes and attempt results counted by opsledger_job_runs_total. */
export type RunOutcomeLabel = 'succeeded' | 'failed' | 'retried' | 'cancelled' | 'expired';

/** Seconds: no-op jobs take milliseconds, reports minutes. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/**
 * The job side of alerting and /metrics: queue figures and cron problems read from the shared
 * read models (every process reports the same cluster-wide figure), plus per-process run counters
 * the workers of this process feed.
 */
@Injectable()
export class JobsSignals implements QueueSnapshotSource, CronProblemsSource, OnModuleInit {
  private readonly runsTotal;
  private readonly duration;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly runs: RunReadModel,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.runsTotal = metrics.counter(
      'opsledger_job_runs_total',
      'Job run attempts finished by this process, by job and outcome (succeeded, failed = dead-lettered, retried, cancelled)',
      ['job', 'outcome'],
    );
    this.duration = metrics.histogram(
      'opsledger_job_duration_seconds',
      'Duration of runs that ended (succeeded, failed, cancelled), by job',
      ['job'],
      DURATION_BUCKETS,
    );
  }

  onModuleInit(): void {
    const safe = (name: string) => !this.metrics.registry.getSingleMetric(name);
    if (safe('opsledger_queue_jobs')) {
      this.metrics.gauge('opsledger_queue_jobs', 'Runs in the live queue view by state (the /api/health queue snapshot)', ['state'], async () => {
        const q = await readQueueFigures(this.pool, this.clock.now());
        return [
          [{ state: 'pending' }, q.pending],
          [{ state: 'retrying' }, q.retrying],
          [{ state: 'processing' }, q.processing],
          [{ state: 'dead_letter' }, q.deadLetter],
        ];
      });
    }
    if (safe('opsledger_queue_oldest_ready_age_seconds')) {
      this.metrics.gauge('opsledger_queue_oldest_ready_age_seconds', 'Age of the oldest run ready to start (0 when none)', [], async () => [
        [{}, (await readQueueFigures(this.pool, this.clock.now())).oldestReadyAgeSeconds ?? 0],
      ]);
    }
    if (safe('opsledger_cron_problems')) {
      this.metrics.gauge('opsledger_cron_problems', 'Scheduled jobs failing or not running (see GET /api/alerts for the lines)', [], async () => [
        [{}, (await this.readCronProblems(this.clock.now())).length],
      ]);
    }
  }

  /** Called by this process's worker for each attempt it finished. */
  recordOutcome(job: string, outcome: RunOutcomeLabel, durationMs: number | null): void {
    this.runsTotal.inc({ job, outcome });
    if (outcome !== 'retried' && durationMs !== null) this.duration.observe({ job }, durationMs / 1000);
  }

  async readQueue(now: Date) {
    const q = await readQueueFigures(this.pool, now);
    return { pending: q.pending, deadLetter: q.deadLetter, oldestReadyAgeSeconds: q.oldestReadyAgeSeconds };
  }

  async readCronProblems(now: Date): Promise<string[]> {
    const [defs, last, ticks] = await Promise.all([
      this.runs.definitions(),
      this.runs.lastRuns(),
      this.pool.query<{ job: string; last: Date }>(
        `SELECT job, max(ol_jobs_ts(doc->>'scheduledFor')) AS last FROM (SELECT job, doc FROM rm_job_queue UNION ALL SELECT job, doc FROM rm_job_runs) r
          WHERE doc->>'trigger' = 'schedule' GROUP BY job`,
      ),
    ]);
    return cronProblems(defs, last, new Map(ticks.rows.map((r) => [r.job, r.last])), now, this.config.jobs.cronMissedGraceMs);
  }
}
