import type { WorkerHistoryRow } from '../../../projections/job-workers/worker-history-row';
import type { RunLike } from './run-aggregates';
import type { WorkerLeaseRow } from './workers.view';

/**
 * Lease rows as the log can tell them at `at` (heartbeats are not events): a worker is online
 * when started and neither stopped nor reaped by then; lastSeen is its latest own event; its runs
 * are the runs it held at `at`. Stopped workers stay listed for `reapAfterMs`, as the reaper
 * leaves them; reaped ones are gone. Newest start first, as the live list.
 */
export function workerLeasesAt(workers: Iterable<WorkerHistoryRow>, runs: Iterable<RunLike>, at: Date, reapAfterMs: number): WorkerLeaseRow[] {
  const current = new Map<string, { runId: string; job: string; startedAt: string }[]>();
  for (const r of runs) {
    if ((r.state !== 'running' && r.state !== 'cancelling') || !r.workerId || !r.claimedAt) continue;
    current.set(r.workerId, [...(current.get(r.workerId) ?? []), { runId: r.runId, job: r.job, startedAt: r.claimedAt }]);
  }
  const out: WorkerLeaseRow[] = [];
  for (const w of workers) {
    if (w.reapedAt) continue;
    if (w.stoppedAt && at.getTime() - Date.parse(w.stoppedAt) > reapAfterMs) continue;
    out.push({
      id: w.workerId,
      host: w.host,
      pid: w.pid,
      mode: w.mode,
      version: w.version,
      concurrency: w.concurrency,
      startedAt: new Date(w.startedAt),
      lastSeen: new Date(w.lastEventAt),
      processed: w.processed,
      failed: w.failed,
      current: (current.get(w.workerId) ?? []).sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
      stoppedAt: w.stoppedAt ? new Date(w.stoppedAt) : null,
      online: !w.stoppedAt,
    });
  }
  return out.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}
