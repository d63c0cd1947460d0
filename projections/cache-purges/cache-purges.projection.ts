import type { RecordedEvent } from '../../src/event-store/envelope';
import { CACHE_PURGE_EVENT_TYPES, CachePurgeEvent } from '../../src/caches/cache-purge.events';
import type { Projection } from '../projection';
import type { PurgeRow } from './purge-row';

/** Inline: a start answers with its row. Each purge's events come from its one slot stream. */
export const cachePurgesProjection: Projection<PurgeRow> = {
  name: 'cache_purges',
  version: 1,
  inline: true,
  canHandle: CACHE_PURGE_EVENT_TYPES,
  keysOf: (e) => [(e.data as { purgeId: string }).purgeId],
  evolve(row, event: RecordedEvent) {
    const e = event as unknown as CachePurgeEvent;
    if (e.type === 'CachePurgeStarted') {
      const d = e.data;
      return {
        id: d.purgeId,
        cache: d.cache,
        match: d.match,
        state: 'running',
        scanned: 0,
        removed: 0,
        reason: d.reason,
        startedBy: d.startedBy,
        startedAt: d.startedAt,
        lastProgressAt: d.startedAt,
        cancelRequested: null,
        finishedAt: null,
        error: null,
      };
    }
    if (!row) return null;
    switch (e.type) {
      case 'CachePurgeProgressed':
        return { ...row, scanned: e.data.scanned, removed: e.data.removed, lastProgressAt: e.data.at };
      case 'CachePurgeCancelRequested':
        return { ...row, cancelRequested: { by: e.data.requestedBy, reason: e.data.reason, at: e.data.at } };
      case 'CachePurgeFinished':
        return { ...row, state: e.data.outcome, scanned: e.data.scanned, removed: e.data.removed, finishedAt: e.data.finishedAt, error: e.data.error };
    }
  },
};
