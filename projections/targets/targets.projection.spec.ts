import { foldInMemory } from '../projection';
import type { RecordedEvent } from '../../src/event-store/envelope';
import { targetsProjection } from './targets.projection';

let pos = 0n;
const rec = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: `e${pos}`,
  streamId: `target-${data.key}`,
  revision: pos,
  position: ++pos,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: '2025-10-20T13:00:00.000Z' },
  recordedAt: new Date(),
  checkpoint: String(pos),
});
const spec = (name: string) => ({ type: 'pve', name, probe: { kind: 'http', url: `http://h/${name}` } });
const interval = {
  mode: 'fixed',
  baseMs: 10_000,
  minMs: 5_000,
  maxMs: 300_000,
  stalenessScore: 0,
  recentErrors: 0,
  previousMs: 10_000,
  rawMs: 10_000,
  smoothedMs: 10_000,
  jitter: 1,
  factor: 1,
  chosenMs: 10_000,
};

describe('targets projection', () => {
  it('folds a target stream into one row per key, and deletes it on removal', () => {
    const rows = foldInMemory(targetsProjection, [
      rec('TargetRegistered', { key: 'pve::a', spec: spec('a'), source: 'api', at: '2025-10-20T13:00:00.000Z' }),
      rec('TargetRegistered', { key: 'pve::b', spec: spec('b'), source: 'config', at: '2025-10-20T13:00:00.000Z' }),
      rec('PollFailed', {
        key: 'pve::a',
        at: '2025-10-20T13:00:01.000Z',
        durationMs: 5,
        statusCode: 500,
        trigger: 'schedule',
        dueAt: '2025-10-20T13:00:00.000Z',
        interval,
        nextPollAt: '2025-10-20T13:00:11.000Z',
        failureKind: 'http_5xx',
        category: 'transient',
        message: '500 internal server error',
        consecutiveFailures: 1,
      }),
      rec('TargetRemoved', { key: 'pve::b', at: '2025-10-20T13:00:02.000Z' }),
    ]);
    expect([...rows.keys()]).toEqual(['pve::a']);
    const a = rows.get('pve::a')!;
    expect(a).toMatchObject({
      consecutiveFailures: 1,
      firstFailureAt: '2025-10-20T13:00:01.000Z',
      nextDueMs: Date.parse('2025-10-20T13:00:11.000Z'),
      lastError: { category: 'transient', failureKind: 'http_5xx' },
    });
    expect(a.breaker.failureCount).toBe(1);
  });
});
