import type { RunRow } from '../../../projections/job-runs/run-row';
import { leftQueueView, QueueRetention } from '../queue/queue-retention';
import type { JobQueueStats, LastRun } from './inventory.view';

/** What the aggregates read of a run (queue rows lack the log tail; history rows have it). */
export type RunLike = Omit<RunRow, 'logTail'>;

const ms = (s: string | null) => (s === null ? null : Date.parse(s));
const iso = (t: number) => new Date(t).toISOString();

/**
 * In-memory twins of RunReadModel's SQL aggregates, for `?at=` answers folded from the log. Each
 * must give what its query gives on the same rows, so the view functions see identical inputs.
 */

/** RunReadModel.queueStats: waiting and active runs per job, oldest active start, oldest ready. */
export function queueStatsOf(rows: Iterable<RunLike>): Map<string, JobQueueStats> {
  const acc = new Map<string, { pending: number; running: number; oldestRunning: number | null; oldestReady: number | null }>();
  const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
  for (const r of rows) {
    const waiting = r.state === 'pending' || r.state === 'retrying';
    const active = r.state === 'running' || r.state === 'cancelling';
    if (!waiting && !active) continue;
    const a = acc.get(r.job) ?? { pending: 0, running: 0, oldestRunning: null, oldestReady: null };
    if (waiting) {
      a.pending++;
      a.oldestReady = min(a.oldestReady, ms(r.readyAt));
    } else {
      a.running++;
      a.oldestRunning = min(a.oldestRunning, ms(r.claimedAt));
    }
    acc.set(r.job, a);
  }
  return new Map(
    [...acc].map(([job, a]) => [
      job,
      {
        pending: a.pending,
        running: a.running,
        oldestRunningSince: a.oldestRunning === null ? null : iso(a.oldestRunning),
        oldestReadyAt: a.oldestReady === null ? null : iso(a.oldestReady),
      },
    ]),
  );
}

/** RunReadModel.lastRuns: per job, the most recently enqueued run and when it last moved. */
export function lastRunsOf(rows: Iterable<RunLike>): Map<string, LastRun> {
  const out = new Map<string, LastRun & { enqueued: number }>();
  for (const r of rows) {
    const enqueued = Date.parse(r.enqueuedAt);
    const cur = out.get(r.job);
    if (cur && enqueued < cur.enqueued) continue;
    out.set(r.job, { runId: r.runId, state: r.state, at: iso(Date.parse(r.finishedAt ?? r.claimedAt ?? r.enqueuedAt)), durationMs: r.durationMs, enqueued });
  }
  return new Map([...out].map(([job, { enqueued: _e, ...last }]) => [job, last]));
}

/** RunReadModel.stateCounts: runs per state. */
export function stateCountsOf(rows: Iterable<RunLike>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.state] = (out[r.state] ?? 0) + 1;
  return out;
}

/**
 * The live queue view at `at`, rebuilt from the complete run history: the janitor's purges are
 * not events, so they are applied as if it had run at `at` (it runs every JANITOR_INTERVAL_MS,
 * so the live view may have held a few more old terminal rows then; docs/api.md, "Jobs").
 */
export function queueViewAt<R extends RunLike>(rows: Iterable<R>, at: Date, rules: QueueRetention): R[] {
  const out: R[] = [];
  for (const r of rows) if (!leftQueueView(r, at, rules)) out.push(r);
  return out;
}
