import type { RecordedEvent } from '../../src/event-store/envelope';
import { errorSignature } from '../../src/shared/error-signature';
import { foldInMemory } from '../projection';
import { pollFailuresProjection } from './poll-failures.projection';

let pos = 0n;
const rec = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: `e${++pos}`,
  streamId: `target-${data.key}`,
  revision: pos,
  position: pos,
  type,
  schemaVersion: 2,
  data,
  metadata: { occurredAt: '2026-03-01T10:00:00.000Z' },
  recordedAt: new Date(),
  checkpoint: String(pos),
});
const failed = (key: string, message: string, extra: Record<string, unknown> = {}) =>
  rec('PollFailed', { key, at: '2026-03-01T10:00:00.000Z', failureKind: 'parse_error', category: 'transient', statusCode: 200, message, ...extra });

describe('poll failures projection', () => {
  it('keeps one row per failed poll with the signature of its message, and nothing of other outcomes', () => {
    const rows = foldInMemory(pollFailuresProjection, [
      failed('svc::a', 'response is not JSON (status 200, text/html, 17 bytes)', { tenant: 'acme' }),
      rec('PollSucceeded', { key: 'svc::a', at: '2026-03-01T10:00:10.000Z', statusCode: 200 }),
      failed('svc::b', 'response is not JSON (status 200, text/html, 4096 bytes)'),
    ]);
    expect([...rows.values()]).toEqual([
      expect.objectContaining({ target: 'svc::a', tenant: 'acme', signature: errorSignature('response is not JSON (status 200, text/html, 1 bytes)') }),
      expect.objectContaining({ target: 'svc::b', tenant: null, failureKind: 'parse_error', statusCode: 200 }),
    ]);
    const [a, b] = [...rows.values()];
    expect(a.signature).toBe(b.signature);
  });
});
