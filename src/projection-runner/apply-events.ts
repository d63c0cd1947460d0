import type { Projection } from '../../projections/projection';
import type { RecordedEvent } from '../event-store/envelope';
import type { Queryable } from '../event-store/postgres/postgres-event-store';
import { liveTable, RowStore, StoredRow } from './row-store';

/**
 * Applies events to a projection's rows inside the caller's transaction: loads the touched rows
 * (locked), folds the events in order, writes the changed rows back. Used by the runner for each
 * batch and by inline projections in the append transaction. Returns the number of row changes.
 */
export async function applyEvents<Row>(db: Queryable, projection: Projection<Row>, events: readonly RecordedEvent[], table = liveTable(projection.name)): Promise<number> {
  const handled = new Set(projection.canHandle);
  const relevant = events.filter((e) => handled.has(e.type));
  if (!relevant.length) return 0;
  const keyed = relevant.map((e) => ({ e, keys: projection.keysOf(e) }));
  const store = new RowStore<Row>(table);
  const current = await store.load(db, [...new Set(keyed.flatMap((k) => k.keys))], true);
  const changes = new Map<string, StoredRow<Row> | null>();
  for (const { e, keys } of keyed) {
    for (const key of keys) {
      const row = changes.has(key) ? changes.get(key)! : current.get(key) ?? null;
      // An inline projection already applied this event in the append's transaction.
      if (projection.inline && row && row.streamId === e.streamId && row.revision !== null && row.revision >= e.revision) continue;
      const next = projection.evolve(row ? row.doc : null, e, key);
      changes.set(key, next === null ? null : { doc: next, streamId: e.streamId, revision: e.revision });
    }
  }
  await store.save(db, changes);
  return changes.size;
}
