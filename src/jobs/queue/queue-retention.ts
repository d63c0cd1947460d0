import type { AppConfig } from '../../config/config';

/**
 * How long finished runs stay in the live queue view (rm_job_queue). The janitor deletes the rows
 * past it (SQL); `?at=` answers, folded from the log, leave the same rows out (TypeScript). Both
 * are built here from one table of states and ages, and a test holds them to the same answers.
 * Only the view forgets: the events and the run history stay.
 */
export interface QueueRetention {
  /** Succeeded, cancelled and expired runs: JANITOR_DROP_COMPLETED_AFTER_MS. */
  readonly dropCompletedAfterMs: number;
  /** Failed runs: JANITOR_DROP_FAILED_AFTER_MS. */
  readonly dropFailedAfterMs: number;
}

export const RETENTION_CLASSES = {
  completed: { states: ['succeeded', 'cancelled', 'expired'], afterMs: (r: QueueRetention) => r.dropCompletedAfterMs },
  failed: { states: ['failed'], afterMs: (r: QueueRetention) => r.dropFailedAfterMs },
} as const;
export type RetentionClass = keyof typeof RETENTION_CLASSES;

export const queueRetention = (jobs: AppConfig['jobs']): QueueRetention => ({
  dropCompletedAfterMs: jobs.janitorDropCompletedAfterMs,
  dropFailedAfterMs: jobs.janitorDropFailedAfterMs,
});

function classOf(state: string): RetentionClass | null {
  for (const [cls, { states }] of Object.entries(RETENTION_CLASSES)) if ((states as readonly string[]).includes(state)) return cls as RetentionClass;
  return null;
}

/** Whether the run has left the live queue view at `at`: finished, and longer ago than its class keeps it. */
export function leftQueueView(run: { readonly state: string; readonly finishedAt: string | null }, at: Date, rules: QueueRetention): boolean {
  const cls = classOf(run.state);
  if (cls === null || run.finishedAt === null) return false;
  return Date.parse(run.finishedAt) < at.getTime() - RETENTION_CLASSES[cls].afterMs(rules);
}

/**
 * The same rule over rm_job_queue's columns for one class, with `at` as `$1` (timestamptz) and the
 * class's age in ms as `$2`: pass queueRetentionParams(cls, at, rules).
 */
export function leftQueueViewSql(cls: RetentionClass): string {
  const states = RETENTION_CLASSES[cls].states.map((s) => `'${s}'`).join(', ');
  return `state IN (${states}) AND finished_at < $1::timestamptz - make_interval(secs => $2::float8 / 1000)`;
}

export const queueRetentionParams = (cls: RetentionClass, at: Date, rules: QueueRetention): [string, number] => [
  at.toISOString(),
  RETENTION_CLASSES[cls].afterMs(rules),
];
