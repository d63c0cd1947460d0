import { rfc3339 } from '../../shared/clock';

export interface WorkerLeaseRow {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly mode: string;
  readonly version: string;
  readonly concurrency: number;
  readonly startedAt: Date;
  readonly lastSeen: Date;
  readonly processed: number;
  readonly failed: number;
  readonly current: readonly { runId: string; job: string; startedAt: string }[];
  readonly stoppedAt: Date | null;
  /** Set for rows rebuilt from events (`?at=`), which have no heartbeat to judge by. */
  readonly online?: boolean;
}

/** The system status page's worker table: online while seen within `offlineMs` and not stopped. */
export function workersView(rows: readonly WorkerLeaseRow[], now: Date, offlineMs: number) {
  return rows.map((w) => {
    const online = w.online ?? (!w.stoppedAt && now.getTime() - w.lastSeen.getTime() <= offlineMs);
    return {
      id: w.id,
      host: w.host,
      pid: w.pid,
      mode: w.mode,
      version: w.version,
      concurrency: w.concurrency,
      status: online ? 'online' : 'offline',
      startedAt: rfc3339(w.startedAt),
      uptimeSeconds: Math.max(0, Math.floor(((w.stoppedAt ?? now).getTime() - w.startedAt.getTime()) / 1000)),
      processed: w.processed,
      failed: w.failed,
      nowRunning: online
        ? w.current.map((c) => ({
            runId: c.runId,
            job: c.job,
            startedAt: rfc3339(c.startedAt),
            elapsedSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(c.startedAt)) / 1000)),
          }))
        : [],
      lastSeen: rfc3339(w.lastSeen),
      lastSeenAgeSeconds: Math.max(0, Math.floor((now.getTime() - w.lastSeen.getTime()) / 1000)),
    };
  });
}
