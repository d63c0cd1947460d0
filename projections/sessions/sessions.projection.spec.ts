import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { sessionsProjection } from './sessions.projection';

const ev = (type: string, data: unknown, revision: bigint): RecordedEvent => ({
  eventId: `e${type}`,
  streamId: 'session-s1',
  revision,
  position: revision + 1n,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: '2026-03-01T10:00:00.000Z' },
  recordedAt: new Date('2026-03-01T10:00:00.000Z'),
  checkpoint: `1:${revision + 1n}`,
});
const start = ev(
  'SessionStarted',
  {
    sessionId: 's1',
    tokenId: 't1',
    name: 'ann',
    role: 'viewer',
    tenant: null,
    hash: 'h'.repeat(64),
    startedAt: '2026-03-01T10:00:00.000Z',
    idleTimeoutMs: 1000,
    absoluteExpiresAt: '2026-03-01T22:00:00.000Z',
    clientIp: '127.0.0.1',
  },
  0n,
);

describe('sessions projection', () => {
  it('a started session has a row that is not ended', () => {
    expect(foldInMemory(sessionsProjection, [start]).get('s1')).toMatchObject({ name: 'ann', hash: 'h'.repeat(64), endedAt: null, endReason: null });
  });

  it('an end keeps the row and says when and why', () => {
    const end = ev('SessionEnded', { sessionId: 's1', reason: 'revoked', detail: 'laptop lost', tenant: null, endedAt: '2026-03-01T11:00:00.000Z' }, 1n);
    expect(foldInMemory(sessionsProjection, [start, end]).get('s1')).toMatchObject({
      endedAt: '2026-03-01T11:00:00.000Z',
      endReason: 'revoked',
      endDetail: 'laptop lost',
    });
  });

  it('ignores an end without a start', () => {
    expect(foldInMemory(sessionsProjection, [ev('SessionEnded', { sessionId: 's1', reason: 'idle', detail: null, tenant: null, endedAt: 'x' }, 1n)]).size).toBe(
      0,
    );
  });
});
