import { bool, ConfigError, EnvVar, int, num, secondsList, str } from './env-var';

/** "HH:MM-HH:MM" (may wrap midnight) or "off". */
export interface QuietHoursWindow {
  readonly startMinute: number;
  readonly endMinute: number;
}

const quietHours = (name: string, def: string, description: string): EnvVar<QuietHoursWindow | null> => ({
  name,
  description,
  defaultText: def,
  parse: (raw) => {
    const v = (raw === undefined || raw === '' ? def : raw).trim();
    if (v.toLowerCase() === 'off') return null;
    const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(v);
    const minutes = m ? [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])] : [];
    if (!m || Number(m[1]) > 23 || Number(m[3]) > 23 || Number(m[2]) > 59 || Number(m[4]) > 59 || minutes[0] === minutes[1]) {
      throw new ConfigError(name, `must be HH:MM-HH:MM (e.g. 21:00-06:00) or "off", got "${v}"`);
    }
    return { startMinute: minutes[0], endMinute: minutes[1] };
  },
});

const timeZone = (name: string, def: string, description: string): EnvVar<string> => ({
  name,
  description,
  defaultText: def,
  parse: (raw) => {
    const v = raw === undefined || raw === '' ? def : raw;
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: v });
    } catch {
      throw new ConfigError(name, `must be an IANA time zone such as UTC or Europe/Paris, got "${v}"`);
    }
    return v;
  },
});

/** Poll scheduler, breakers, dead-letter and the two health endpoints; defaults are the documented values (README config table). */
export const pollingEnv = {
  schedulerEnabled: bool(
    'POLL_SCHEDULER_ENABLED',
    true,
    'Run the poll scheduler in APP_MODE all/worker (the targets are partitioned across every such process, docs/adr/0017).',
  ),
  concurrency: int('POLL_CONCURRENCY', 50, 'Probes in flight at once.', { min: 1, max: 10_000 }),
  defaultIntervalSeconds: num('POLL_DEFAULT_INTERVAL_SECONDS', 10, 'Interval of a target that sets none (the adaptive base).', { min: 0.01 }),
  minIntervalSeconds: num(
    'POLL_MIN_INTERVAL_SECONDS',
    5,
    'Lower clamp of the adaptive interval, and the shortest fixed interval a target may set (shorter ones are refused with 400, or stop start-up when in OPSLEDGER_CONFIG).',
    { min: 0.01 },
  ),
  maxIntervalSeconds: num('POLL_MAX_INTERVAL_SECONDS', 300, 'Upper clamp of the adaptive interval; also the staleness horizon.', { min: 0.01 }),
  timeoutMs: int('POLL_TIMEOUT_MS', 5000, 'Probe timeout when the target sets none.', { min: 1 }),
  breakerFailureThreshold: int('BREAKER_FAILURE_THRESHOLD', 5, 'Consecutive failures that open a breaker.', { min: 1 }),
  breakerOpenBaseMs: int('BREAKER_OPEN_BASE_MS', 5000, 'Open time of the first trip; doubles per trip.', { min: 1 }),
  breakerOpenMaxMs: int('BREAKER_OPEN_MAX_MS', 300_000, 'Longest open time.', { min: 1 }),
  deadLetterStreak: int('DEAD_LETTER_STREAK', 5, 'Consecutive transient failures that dead-letter a target.', { min: 1 }),
  deadLetterRetrySchedule: secondsList(
    'DEAD_LETTER_RETRY_SCHEDULE',
    [300, 900, 3600, 14400, 43200, 86400],
    'Retry delays of a dead-lettered target; the last repeats.',
  ),
  adaptiveEnabled: bool('ADAPTIVE_POLLING_ENABLED', true, 'Adaptive intervals (`adaptivePolling.enabled`); false = every target on its fixed interval.'),
  tickMs: int('SCHEDULER_TICK_MS', 250, 'Longest sleep of the scheduler loop between due checks.', { min: 1 }),
  leaseMs: int(
    'POLL_LEASE_MS',
    10_000,
    "Lease time of a poll partition (docs/adr/0017): a dead scheduler process's partitions are taken over within it (plus one renew interval); a process that cannot renew stops polling them when it runs out.",
    { min: 100 },
  ),
  leaseRenewMs: int(
    'POLL_LEASE_RENEW_MS',
    2000,
    'How often a scheduler process renews its partition leases, beats, rebalances and takes free partitions (keep it under a third of POLL_LEASE_MS).',
    { min: 10 },
  ),
  heapGrowingPercent: int(
    'POLL_HEAP_GROWING_PERCENT',
    50,
    "A process that runs the poll scheduler lets V8's heap grow at most this many percent past its live size before a full collection (V8's --heap-growing-percent, process-wide; docs/adr/0019); 0 leaves V8's own (up to 300 % under a high allocation rate).",
    { min: 0, max: 1000 },
  ),
  reportMs: int('SCHEDULER_REPORT_MS', 5000, 'How often the scheduler reports its loop state (ops health staleness is measured against it).', { min: 10 }),
  quietHours: quietHours(
    'QUIET_HOURS',
    '21:00-06:00',
    'Quiet-hours window (local to QUIET_HOURS_TZ), or "off". Scheduled intervals are multiplied by QUIET_HOURS_INTERVAL_FACTOR.',
  ),
  quietHoursTz: timeZone('QUIET_HOURS_TZ', 'UTC', 'Time zone of QUIET_HOURS.'),
  quietHoursFactor: num('QUIET_HOURS_INTERVAL_FACTOR', 3, 'Interval multiplier during quiet hours (dead-letter retries and operator polls are not slowed).', {
    min: 1,
  }),
  dueWindowSeconds: num('SCHEDULER_HEALTH_DUE_WINDOW_SECONDS', 12, 'queue.dueWithinSeconds counts targets due within this many seconds (default 12).', {
    min: 0,
  }),
  opsToken: str('OPS_TOKEN', undefined, 'x-ops-token for /api/ops/health; unset = open unless NODE_ENV=production.'),
  opsStaleFactor: num('OPS_STALE_FACTOR', 2.5, 'A loop is stale when its last run is older than this many intervals.', { min: 1 }),
  opsDisabledThreshold: num('OPS_DISABLED_THRESHOLD', 0.1, 'Share of dead-lettered targets above which ops health is degraded.', { min: 0, max: 1 }),
  opsStuckAfterMs: int('OPS_QUEUE_STUCK_AFTER_MS', 60_000, 'A target overdue this long while the scheduler is idle counts toward "Queue stuck".', { min: 0 }),
  opsStuckMinReady: int('OPS_QUEUE_STUCK_MIN_READY', 1, 'Overdue targets needed to call the queue stuck.', { min: 1 }),
  requireRestoreDrill: bool(
    'OPS_REQUIRE_RESTORE_DRILL',
    false,
    'When true, "No restore drill recorded in N days" makes ops health degraded; otherwise it is only a notice (a quarterly drill).',
  ),
  restoreDrillMaxAgeDays: num('OPS_RESTORE_DRILL_MAX_AGE_DAYS', 92, 'A restore drill older than this many days counts as missing (92 days: quarterly).', {
    min: 0,
  }),
} as const;

export type PollingConfig = { [K in keyof typeof pollingEnv]: (typeof pollingEnv)[K] extends EnvVar<infer T> ? T : never };
