import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { jobQueueProjection } from './job-queue.projection';

const at = '2025-03-01T10:00:00.000Z';
let rev = 0n;
const ev = (type: string, data: unknown): RecordedEvent => ({
  eventId: `e${rev}`,
  streamId: 'job-r1',
  revision: rev,
  position: rev++,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: at },
  recordedAt: new Date(at),
  checkpoint: '',
});
const enqueued = ev('RunEnqueued', {
  runId: 'r1',
  job: 'j',
  trigger: 'manual',
  actor: 'ann',
  reason: 'r',
  params: {},
  tenant: null,
  priority: 'low',
  attempt: 1,
  maxAttempts: 2,
  timeoutMs: 1000,
  cancellable: true,
  backoff: { kind: 'fixed', baseMs: 1, maxMs: 1 },
  enqueuedAt: at,
  readyAt: at,
  expiresAt: null,
  scheduledFor: null,
  retryOf: null,
});

describe('job_queue projection', () => {
  it('given enqueue, claim and success: a succeeded row without the log tail, priority ranked', () => {
    const rows = foldInMemory(jobQueueProjection, [
      enqueued,
      ev('RunClaimed', { workerId: 'w', attempt: 1, claimedAt: at }),
      ev('RunSucceeded', { workerId: 'w', attempt: 1, finishedAt: at, durationMs: 7, exitCode: 0, logTail: 'big output', error: null }),
    ]);
    const row = rows.get('r1')!;
    expect(row).toMatchObject({ state: 'succeeded', priorityRank: 2, durationMs: 7, workerId: 'w', failures: 0 });
    expect('logTail' in row).toBe(false);
  });

  it('given a run event for a run it never saw (row dropped by the janitor), no row is made', () => {
    expect(foldInMemory(jobQueueProjection, [ev('RunClaimed', { workerId: 'w', attempt: 1, claimedAt: at })]).size).toBe(0);
  });

  it('keys rows by the run id of the stream', () => {
    expect(jobQueueProjection.keysOf(enqueued)).toEqual(['r1']);
    expect(jobQueueProjection.inline).toBe(true);
  });
});
