import { bool, int, str } from './env-var';

const MIN = 60_000;

/** Job runtime timings and limits. Defaults are the production values operators expect; tests set short values. */
export const jobsEnv = {
  runJobs: bool(
    'RUN_JOBS',
    true,
    'false: this process runs no job worker, cron ticker or janitor (in APP_MODE all/worker); ops health then says "Jobs not started (RUN_JOBS=false)" unless another process runs them.',
  ),
  pauseRefreshMs: int(
    'LOOP_PAUSE_REFRESH_MS',
    1_000,
    "How often a job worker, the cron ticker and the poll scheduler re-read what operators paused (the whole loop, a job, a target, a tenant's jobs or targets; a pause made through this process applies at once).",
    { min: 10 },
  ),
  pauseExpirySweepMs: int(
    'PAUSE_EXPIRY_SWEEP_MS',
    1_000,
    "How often one process records the automatic resume of pauses whose resumeAt has come (job, tenant and target pauses; the log and timeline show it). Jobs and tenants are released at resumeAt by every process's own clock; a target's own pause waits for this record.",
    { min: 10 },
  ),
  workerConcurrency: int('WORKER_CONCURRENCY', 10, 'Runs one worker process executes at once (0 disables the job worker).', { min: 0, max: 1000 }),
  workerHeartbeatMs: int('WORKER_HEARTBEAT_MS', 10_000, 'How often a worker writes its lease row (default 10 s).', { min: 10 }),
  workerOfflineMs: int('WORKER_OFFLINE_MS', 60_000, 'A worker not seen for this long is shown offline (default 60 s).', { min: 10 }),
  workerPollMs: int('WORKER_POLL_MS', 1_000, 'Fallback poll of the queue when no enqueue notification arrives.', { min: 5 }),
  workerClaimBatch: int('WORKER_CLAIM_BATCH', 10, 'Most runs one claim transaction takes (bounded by free slots) when the local queue is off.', {
    min: 1,
    max: 1000,
  }),
  workerLocalQueueSize: int(
    'WORKER_LOCAL_QUEUE_SIZE',
    0,
    "Runs a worker claims ahead of its free slots and holds to start next (like graphile-worker's localQueue.size): fewer claim round trips for many short jobs, but held runs wait behind the worker's slots even when another worker is idle. 0: off, claim only for free slots.",
    { min: 0, max: 10_000 },
  ),
  workerLocalQueueTtlMs: int(
    'WORKER_LOCAL_QUEUE_TTL_MS',
    60_000,
    "A run held in the local queue longer than this is given back to the queue unstarted, its attempt not counted (default 60 s; at most 10 min, well inside the janitor's limit for running runs).",
    { min: 10, max: 600_000 },
  ),
  workerCompleteBatchMs: int(
    'WORKER_COMPLETE_BATCH_MS',
    0,
    "How long a finished run waits for others to be written with it in one transaction (like graphile-worker's completeJobBatchDelay); 0: whatever finished by the next turn of the event loop.",
    { min: 0, max: 10_000 },
  ),
  workerReapAfterMs: int('WORKER_REAP_AFTER_MS', 5 * MIN, 'A worker unseen this long is reaped and its runs abandoned (default 5 min).', { min: 10 }),
  janitorIntervalMs: int('JANITOR_INTERVAL_MS', 15 * MIN, 'How often the queue janitor runs (default 15 min).', { min: 10 }),
  janitorStuckAfterMs: int(
    'JANITOR_STUCK_AFTER_MS',
    15 * MIN,
    'A run active this long without finishing is stuck and the janitor fails it, whatever its timeout; a job that runs longer declares stuckAfter.',
    { min: 0 },
  ),
  janitorCancelPendingAfterMs: int('JANITOR_CANCEL_PENDING_AFTER_MS', 60 * MIN, 'The janitor cancels runs ready but unclaimed for this long.', { min: 0 }),
  janitorDropCompletedAfterMs: int('JANITOR_DROP_COMPLETED_AFTER_MS', 60 * MIN, 'Completed runs leave the live queue view after this long (events stay).', {
    min: 0,
  }),
  janitorDropFailedAfterMs: int('JANITOR_DROP_FAILED_AFTER_MS', 7 * 24 * 60 * MIN, 'Failed runs leave the live queue view after this long (events stay).', {
    min: 0,
  }),
  idempotencyKeyTtlMs: int('IDEMPOTENCY_KEY_TTL_MS', 24 * 60 * MIN, 'How long an Idempotency-Key on run-now maps to its run.', { min: 1 }),
  jobDefaultTimeoutMs: int('JOB_DEFAULT_TIMEOUT_MS', 15 * MIN, 'Timeout of a job that does not declare one.', { min: 1 }),
  jobDefaultMaxAttempts: int('JOB_DEFAULT_MAX_ATTEMPTS', 3, 'Attempts of a job that does not declare maxAttempts.', { min: 1, max: 100 }),
  jobBackoffBaseMs: int('JOB_BACKOFF_BASE_MS', 30_000, 'First retry delay; doubles per attempt unless the job says otherwise.', { min: 0 }),
  jobBackoffMaxMs: int('JOB_BACKOFF_MAX_MS', 60 * MIN, 'Longest retry delay.', { min: 0 }),
  jobLogTailBytes: int('JOB_LOG_TAIL_BYTES', 65_536, 'Bytes of stdout/stderr (or response body) kept per run.', { min: 256, max: 10_485_760 }),
  jobKillGraceMs: int('JOB_KILL_GRACE_MS', 5_000, 'After SIGTERM (timeout or cancel), wait this long before SIGKILL.', { min: 0 }),
  cronTickMs: int('CRON_TICK_MS', 1_000, 'How often the cron ticker looks for due ticks.', { min: 10 }),
  cronMissedGraceMs: int(
    'CRON_MISSED_GRACE_MS',
    60_000,
    'A tick older than this when first seen counts as missed (TickMissed) and follows the catch-up policy.',
    { min: 0 },
  ),
  cronSecret: str('CRON_SECRET', undefined, 'Bearer secret that adds the queue snapshot to GET /api/health.'),
} as const;
