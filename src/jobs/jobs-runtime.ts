import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { jobDefinitionsProjection } from '../../projections/job-definitions/job-definitions.projection';
import { jobQueueProjection } from '../../projections/job-queue/job-queue.projection';
import type { AppConfig } from '../config/config';
import type { EgressFetch } from '../egress/egress-fetch';
import type { EventStore } from '../event-store/event-store.port';
import type { Clock } from '../shared/clock';
import { CronTicker, CronTickerOptions } from './cron/cron-ticker';
import type { JobCatalog } from './definitions/job-catalog';
import { Janitor, JanitorRules } from './janitor/janitor';
import { Reaper } from './janitor/reaper';
import { EnqueueNotifier } from './queue/enqueue-notifier';
import { JobQueue } from './queue/job-queue';
import { queueRetention } from './queue/queue-retention';
import { RunWriter } from './store/run-writer';
import { JobWorker, JobWorkerHooks, JobWorkerOptions } from './worker/job-worker';

export type JobsConfig = AppConfig['jobs'];

/**
 * The job runtime's plain parts, wired once; Nest, tests and the benchmark all build it here. The
 * queue and the job definitions are inline read models: claims and cron read them right after
 * an append, so the store folds every append of theirs in its own transaction.
 */
export function createJobsRuntime(deps: {
  pool: Pool;
  store: EventStore;
  clock: Clock;
  log: Logger;
  config: JobsConfig;
  catalog: JobCatalog;
  fetch: EgressFetch;
  /** The hold check (src/pausing): cron ticks of held jobs are skipped. */
  holdFor?: CronTickerOptions['holdFor'];
}) {
  const { pool, store, clock, log, config, catalog, fetch } = deps;
  store.registerInline(jobQueueProjection);
  store.registerInline(jobDefinitionsProjection);
  const writer = new RunWriter(store, log);
  const notifier = new EnqueueNotifier(pool);
  const queue = new JobQueue(writer, log, notifier);
  const reaper = new Reaper(pool, store, writer, clock, log);
  const janitor = new Janitor(pool, writer, reaper, clock, log);
  const ticker = new CronTicker(pool, store, queue, catalog, clock, log, { missedGraceMs: config.cronMissedGraceMs, holdFor: deps.holdFor });
  const janitorRules: JanitorRules = {
    stuckAfterMs: config.janitorStuckAfterMs,
    cancelPendingAfterMs: config.janitorCancelPendingAfterMs,
    ...queueRetention(config),
    reapWorkersAfterMs: config.workerReapAfterMs,
    idempotencyKeyTtlMs: config.idempotencyKeyTtlMs,
  };
  const newWorker = (o: Partial<JobWorkerOptions> & Pick<JobWorkerOptions, 'mode' | 'version'>, hooks?: JobWorkerHooks) =>
    new JobWorker(
      pool,
      store,
      writer,
      queue,
      catalog,
      clock,
      log,
      {
        concurrency: config.workerConcurrency,
        pollMs: config.workerPollMs,
        heartbeatMs: config.workerHeartbeatMs,
        claimBatch: config.workerClaimBatch,
        localQueueSize: config.workerLocalQueueSize,
        localQueueTtlMs: config.workerLocalQueueTtlMs,
        completeBatchMs: config.workerCompleteBatchMs,
        leaseMs: config.workerReapAfterMs,
        logTailBytes: config.jobLogTailBytes,
        killGraceMs: config.jobKillGraceMs,
        fetch,
        ...o,
      },
      hooks,
    );
  return { writer, queue, notifier, reaper, janitor, janitorRules, ticker, newWorker };
}
export type JobsRuntime = ReturnType<typeof createJobsRuntime>;
