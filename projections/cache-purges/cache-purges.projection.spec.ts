import type { RecordedEvent } from '../../src/event-store/envelope';
import { foldInMemory } from '../projection';
import { cachePurgesProjection } from './cache-purges.projection';

let position = 0n;
const ev = (type: string, data: Record<string, unknown>): RecordedEvent =>
  ({
    eventId: `e${++position}`,
    streamId: 'cache_purge-s-x',
    revision: position,
    position,
    type,
    schemaVersion: 1,
    data: { purgeId: 'p1', cache: 'sessions', ...data },
    metadata: { occurredAt: '' },
    recordedAt: new Date(),
    checkpoint: String(position),
  }) as RecordedEvent;

describe('cache purges projection', () => {
  it('follows a purge from start through progress and a cancel request to its end', () => {
    const rows = foldInMemory(cachePurgesProjection, [
      ev('CachePurgeStarted', { match: { pattern: 'user:*' }, reason: 'r', startedBy: 'alice', startedAt: 't0' }),
      ev('CachePurgeProgressed', { scanned: 100, removed: 90, at: 't1' }),
      ev('CachePurgeCancelRequested', { reason: 'enough', requestedBy: 'bob', at: 't2' }),
      ev('CachePurgeFinished', { outcome: 'cancelled', scanned: 120, removed: 110, error: null, finishedAt: 't3' }),
    ]);
    expect(rows.get('p1')).toEqual({
      id: 'p1',
      cache: 'sessions',
      match: { pattern: 'user:*' },
      state: 'cancelled',
      scanned: 120,
      removed: 110,
      reason: 'r',
      startedBy: 'alice',
      startedAt: 't0',
      lastProgressAt: 't1',
      cancelRequested: { by: 'bob', reason: 'enough', at: 't2' },
      finishedAt: 't3',
      error: null,
    });
  });
});
