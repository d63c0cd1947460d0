/** What a pause covers: one job or target, or every job or target of a tenant. */
export type PauseRowScope = 'job' | 'target' | 'tenant-jobs' | 'tenant-targets';

/** One paused (or once paused) subject: its latest pause and, once resumed, by whom and why. */
export interface PauseRow {
  /** `<scope>:<subject>`. */
  readonly key: string;
  readonly scope: PauseRowScope;
  /** The job name, target key or tenant. */
  readonly subject: string;
  readonly tenant: string | null;
  readonly paused: boolean;
  readonly reason: string;
  readonly pausedBy: string;
  readonly pausedAt: string;
  /** When the pause ends by itself (null: until resumed). */
  readonly resumeAt: string | null;
  readonly resumedBy: string | null;
  readonly resumedAt: string | null;
  readonly resumeReason: string | null;
  /** The resume was the pause running out at its resumeAt. */
  readonly autoResumed: boolean;
}

/** Whether the row's pause holds at `at`: begun, not resumed by then, not past its resumeAt. */
export function pauseRowHolds(r: PauseRow, at: Date): boolean {
  const t = at.getTime();
  if (Date.parse(r.pausedAt) > t) return false;
  if (r.resumeAt !== null && Date.parse(r.resumeAt) <= t) return false;
  return r.paused || (r.resumedAt !== null && Date.parse(r.resumedAt) > t);
}
