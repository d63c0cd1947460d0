import type { WorkerHistoryRow } from '../../projections/job-workers/worker-history-row';
import type { TargetState } from '../polling/target.state';
import type { QuietHoursWindow } from '../config/polling.env';
import { inQuietHours } from '../polling/quiet-hours';
import type { LoopStateRow } from '../database/loop-state';
import { POLL_SCHEDULER_LOOP } from './ops-health.rules';
import { nextDueMs } from '../polling/next-due';

/** Marks loop rows derived from the log rather than read from loop_states heartbeats. */
export const DERIVED_INSTANCE = 'derived-from-log';

export interface LoopsAtConfig {
  /** Whether a poll scheduler is expected at all (POLL_SCHEDULER_ENABLED). */
  readonly schedulerEnabled: boolean;
  /** SCHEDULER_REPORT_MS: the live row's interval, so staleness uses the same yardstick. */
  readonly schedulerReportMs: number;
  readonly quietHours: QuietHoursWindow | null;
  readonly quietHoursTz: string;
  readonly workerHeartbeatMs: number;
  readonly cronTickMs: number;
  readonly janitorIntervalMs: number;
}

const row = (loop: string, state: LoopStateRow['state'], intervalMs: number, lastRunAt: number | null, startedAt: number): LoopStateRow => ({
  loop,
  instanceId: DERIVED_INSTANCE,
  state,
  intervalMs,
  lastRunAt: lastRunAt === null ? null : new Date(lastRunAt),
  beatAt: new Date(startedAt),
  startedAt: new Date(startedAt),
  detail: { role: 'active', inFlight: 0 },
});

/**
 * The loop_states rows as the log lets us reconstruct them at `at` (heartbeats are not events).
 * Poll scheduler: it is seen only through its outcomes, so it "ran" at the latest poll outcome;
 * when nothing was due for a whole interval since then it had nothing to do, which is not
 * staleness, so its last run is `at`. Job loops: a worker runs from WorkerStarted until
 * WorkerStopped/WorkerReaped; cron and janitor run in the same processes.
 */
export function loopsAt(targets: readonly TargetState[], workers: readonly WorkerHistoryRow[], at: Date, cfg: LoopsAtConfig): LoopStateRow[] {
  const t = at.getTime();
  const out: LoopStateRow[] = [];

  if (cfg.schedulerEnabled || targets.length) {
    let lastPoll: number | null = null;
    let earliestDue: number | null = null;
    for (const r of targets) {
      if (r.lastPollAt && (lastPoll === null || Date.parse(r.lastPollAt) > lastPoll)) lastPoll = Date.parse(r.lastPollAt);
      const due = nextDueMs(r);
      if (due !== null && (earliestDue === null || due < earliestDue)) earliestDue = due;
    }
    const interval = cfg.schedulerReportMs;
    const behind = earliestDue !== null && earliestDue <= t - interval;
    const lastRun = behind ? lastPoll : t;
    const state = inQuietHours(at, cfg.quietHours, cfg.quietHoursTz) ? 'quiet_hours' : lastPoll !== null && lastPoll >= t - interval ? 'working' : 'idle';
    // Never polled while work waited: measure from when it became due.
    out.push(row(POLL_SCHEDULER_LOOP, state, interval, lastRun, lastRun === null ? earliestDue! : t));
  }

  const seen = workers.filter((w) => Date.parse(w.startedAt) <= t);
  if (seen.length) {
    const alive = seen.filter((w) => !w.stoppedAt && !w.reapedAt);
    if (alive.length) {
      const busy = alive.some((w) => Date.parse(w.lastEventAt) >= t - cfg.workerHeartbeatMs);
      out.push(row('job-worker', busy ? 'working' : 'idle', cfg.workerHeartbeatMs, t, t));
      out.push(row('cron', 'idle', cfg.cronTickMs, t, t));
      out.push(row('janitor', 'idle', cfg.janitorIntervalMs, t, t));
    } else {
      const last = seen.reduce((m, w) => Math.max(m, Date.parse(w.reapedAt ?? w.stoppedAt ?? w.lastEventAt)), 0);
      const crashed = seen.some((w) => w.reapedAt && Date.parse(w.reapedAt) === last);
      out.push(row('job-worker', crashed ? 'crashed' : 'stopped', cfg.workerHeartbeatMs, last, last));
      out.push(row('cron', 'stopped', cfg.cronTickMs, last, last));
      out.push(row('janitor', 'stopped', cfg.janitorIntervalMs, last, last));
    }
  }
  return out.sort((a, b) => (a.loop < b.loop ? -1 : 1));
}
