import type { RecordedEvent } from '../../src/event-store/envelope';
import { errorSignature } from '../../src/shared/error-signature';
import { foldInMemory } from '../projection';
import { jobRunsProjection } from './job-runs.projection';

let pos = 0n;
const rec = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: `e${++pos}`,
  streamId: 'job-r1',
  revision: pos,
  position: pos,
  type,
  schemaVersion: 1,
  data: { runId: 'r1', ...data },
  metadata: { occurredAt: '2026-03-01T10:00:00.000Z' },
  recordedAt: new Date(),
  checkpoint: String(pos),
});
const enqueued = rec('RunEnqueued', {
  job: 'sync',
  trigger: 'manual',
  actor: 'ann',
  reason: 'test',
  params: {},
  tenant: null,
  priority: 'normal',
  attempt: 1,
  maxAttempts: 2,
  timeoutMs: 60_000,
  cancellable: true,
  backoff: { kind: 'fixed', baseMs: 1000, maxMs: 1000 },
  enqueuedAt: '2026-03-01T10:00:00.000Z',
  readyAt: '2026-03-01T10:00:00.000Z',
  expiresAt: null,
  scheduledFor: null,
  retryOf: null,
});
const claimed = (attempt: number) => rec('RunClaimed', { workerId: 'w', attempt, claimedAt: '2026-03-01T10:00:01.000Z' });
const finished = (type: 'RunFailed' | 'RunSucceeded', attempt: number, error: string | null, logTail: string) =>
  rec(type, { workerId: 'w', attempt, finishedAt: '2026-03-01T10:00:02.000Z', durationMs: 10, exitCode: error ? 1 : 0, logTail, error });
const fold = (...events: RecordedEvent[]) => foldInMemory(jobRunsProjection, events).get('r1')!;

describe('job runs projection: failure signatures', () => {
  it('signs a failed attempt by its error and, for a bare exit code, the last line it printed; keeps it through retry and dead letter', () => {
    const sig = errorSignature('exit code 1: connection refused 10.0.0.1:5432 after 3012 ms');
    const first = finished('RunFailed', 1, 'exit code 1', 'connecting\nconnection refused 10.0.0.9:5432 after 12 ms\n');
    expect(fold(enqueued, claimed(1), first).errorSignature).toBe(sig);
    const retry = rec('RetryScheduled', { attempt: 2, readyAt: '2026-03-01T10:00:03.000Z', backoffMs: 1000 });
    const second = finished('RunFailed', 2, 'exit code 1', 'connection refused 10.0.0.1:5432 after 3012 ms');
    const dead = rec('RunDeadLettered', { attempts: 2, reason: 'exit code 1', at: '2026-03-01T10:00:04.000Z' });
    const row = fold(enqueued, claimed(1), first, retry, claimed(2), second, dead);
    expect(row).toMatchObject({ state: 'failed', errorSignature: sig });
  });

  it('has no signature before a failure and after a success', () => {
    expect(fold(enqueued).errorSignature).toBeNull();
    const failedOnce = finished('RunFailed', 1, 'HTTP 502', '');
    const retry = rec('RetryScheduled', { attempt: 2, readyAt: '2026-03-01T10:00:03.000Z', backoffMs: 1000 });
    expect(fold(enqueued, claimed(1), failedOnce, retry).errorSignature).toBe(errorSignature('HTTP 502'));
    expect(fold(enqueued, claimed(1), failedOnce, retry, claimed(2), finished('RunSucceeded', 2, null, 'ok')).errorSignature).toBeNull();
  });
});
