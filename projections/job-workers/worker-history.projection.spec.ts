import type { RecordedEvent } from '../../src/event-store/envelope';
import { workerLeasesAt } from '../../src/jobs/views/workers-at';
import { workersView } from '../../src/jobs/views/workers.view';
import { foldInMemory } from '../projection';
import { workerHistoryProjection } from './worker-history.projection';

let pos = 0n;
const ev = (type: string, data: Record<string, unknown>, at: string, actor = 'worker:w1'): RecordedEvent => ({
  eventId: `e${pos}`,
  streamId: 's',
  revision: pos,
  position: pos++,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: at, actor },
  recordedAt: new Date(at),
  checkpoint: '',
});
const started = (id: string, at: string) =>
  ev('WorkerStarted', { workerId: id, host: 'h', pid: 1, mode: 'all', version: '1', concurrency: 2, at }, at, `worker:${id}`);

describe('job_worker_history projection', () => {
  it('given start, claims and results, counts what the worker itself recorded and its last sign of life', () => {
    const rows = foldInMemory(workerHistoryProjection, [
      started('w1', '2025-03-01T10:00:00.000Z'),
      ev('RunClaimed', { workerId: 'w1' }, '2025-03-01T10:00:01.000Z'),
      ev('RunSucceeded', { workerId: 'w1' }, '2025-03-01T10:00:02.000Z'),
      ev('RunFailed', { workerId: 'w1' }, '2025-03-01T10:00:03.000Z'),
      ev('RunFailed', { workerId: 'w1' }, '2025-03-01T10:30:00.000Z', 'janitor'), // a force-fail: not the worker's own result
    ]);
    expect(rows.get('w1')).toMatchObject({ processed: 2, failed: 1, lastEventAt: '2025-03-01T10:00:03.000Z', stoppedAt: null, reapedAt: null });
  });

  it('workers at T: online until stopped; stopped ones listed until the reap age; reaped ones gone; running what they held', () => {
    const rows = foldInMemory(workerHistoryProjection, [
      started('w1', '2025-03-01T10:00:00.000Z'),
      started('w2', '2025-03-01T10:01:00.000Z'),
      started('w3', '2025-03-01T10:02:00.000Z'),
      ev('WorkerStopped', { workerId: 'w2', at: '2025-03-01T10:05:00.000Z', processed: 7, failed: 1, released: [] }, '2025-03-01T10:05:00.000Z', 'worker:w2'),
      ev(
        'WorkerReaped',
        { workerId: 'w3', at: '2025-03-01T10:06:00.000Z', lastSeen: '', reapedBy: 'w1', abandonedRuns: [] },
        '2025-03-01T10:06:00.000Z',
        'reaper:w1',
      ),
    ]);
    const running = [{ runId: 'r1', job: 'j', state: 'running', workerId: 'w1', claimedAt: '2025-03-01T10:06:30.000Z' }] as never;
    const at = new Date('2025-03-01T10:07:00.000Z');
    const view = workersView(workerLeasesAt(rows.values(), running, at, 5 * 60_000), at, 60_000);
    expect(view.map((w) => [w.id, w.status, w.processed, w.nowRunning.map((r) => r.runId)])).toEqual([
      ['w2', 'offline', 7, []],
      ['w1', 'online', 0, ['r1']],
    ]);
    expect(workerLeasesAt(rows.values(), [], new Date('2025-03-01T10:10:01.000Z'), 5 * 60_000).map((w) => w.id)).toEqual(['w1']);
  });
});
