import type { RecordedEvent } from '../../src/event-store/envelope';
import type { WorkerEvent } from '../../src/jobs/events/worker.events';
import type { Projection } from '../projection';
import type { WorkerHistoryRow } from './worker-history-row';

type Ev = Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'recordedAt'>;
const WORKER_EVENTS = ['WorkerStarted', 'WorkerStopped', 'WorkerReaped'];
/** Run events a worker writes itself, each naming it in `data.workerId`. */
const RUN_EVENTS_BY_WORKERS = ['RunClaimed', 'RunSucceeded', 'RunFailed'];

export function evolveWorkerHistory(row: WorkerHistoryRow | null, event: Ev): WorkerHistoryRow | null {
  const at = event.metadata?.occurredAt ?? new Date(event.recordedAt).toISOString();
  if (WORKER_EVENTS.includes(event.type)) {
    const e = event as unknown as WorkerEvent;
    switch (e.type) {
      case 'WorkerStarted': {
        const d = e.data;
        return {
          workerId: d.workerId,
          host: d.host,
          pid: d.pid,
          mode: d.mode,
          version: d.version,
          concurrency: d.concurrency,
          startedAt: d.at,
          stoppedAt: null,
          reapedAt: null,
          lastEventAt: d.at,
          processed: 0,
          failed: 0,
        };
      }
      case 'WorkerStopped':
        return row ? { ...row, stoppedAt: e.data.at, lastEventAt: e.data.at, processed: e.data.processed, failed: e.data.failed } : null;
      case 'WorkerReaped':
        return row ? { ...row, reapedAt: e.data.at } : null;
    }
  }
  if (!row) return null;
  const d = event.data as { workerId?: string };
  // Janitor force-fails name the run's worker too; only results the worker wrote count as its own.
  if (event.metadata?.actor !== `worker:${d.workerId}`) return row;
  if (event.type === 'RunClaimed') return { ...row, lastEventAt: at };
  if (event.type === 'RunSucceeded') return { ...row, lastEventAt: at, processed: row.processed + 1 };
  if (event.type === 'RunFailed') return { ...row, lastEventAt: at, processed: row.processed + 1, failed: row.failed + 1 };
  return row;
}

/**
 * Workers folded from their events. The live workers page reads heartbeat lease rows (not
 * events); this is what the log can say about them at any past instant.
 */
export const workerHistoryProjection: Projection<WorkerHistoryRow> = {
  name: 'job_worker_history',
  version: 1,
  canHandle: [...WORKER_EVENTS, ...RUN_EVENTS_BY_WORKERS],
  keysOf: (e) => {
    const id = (e.data as { workerId?: string }).workerId;
    return id ? [id] : [];
  },
  evolve: (row, e) => evolveWorkerHistory(row, e),
};
