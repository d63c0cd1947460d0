import type { RecordedEvent } from '../envelope';
import type { InlineProjection } from '../event-store.port';
import type { SqlSession } from '../unit-of-work';
import { liveTable, RowStore, StoredRow } from './row-store';

/**
 * Applies events to a projection's rows inside the caller's transaction: loads the touched rows
 * (locked), folds the events in order, writes the changed rows back. Used by the runner for each
 * batch and by the store for inline projections in the append's transaction. `known` holds rows
 * the caller has locked and read already (null: none): those are folded without a reload.
 * Returns the number of row changes.
 */
export async function applyEvents<Row>(
  db: SqlSession,
  projection: InlineProjection<Row>,
  events: readonly RecordedEvent[],
  table = liveTable(projection.name),
  known?: ReadonlyMap<string, Row | null>,
): Promise<number> {
  const handled = new Set(projection.canHandle);
  const relevant = events.filter((e) => handled.has(e.type));
  if (!relevant.length) return 0;
  const keyed = relevant.map((e) => ({ e, keys: projection.keysOf(e) }));
  const store = new RowStore<Row>(table);
  const loaded = await store.load(db, [...new Set(keyed.flatMap((k) => k.keys))].filter((k) => !known?.has(k)), true);
  const stored = (key: string): StoredRow<Row> | null => {
    if (!known?.has(key)) return loaded.get(key) ?? null;
    const doc = known.get(key)!;
    return doc === null ? null : { doc, streamId: null, revision: null };
  };
  const changes = new Map<string, StoredRow<Row> | null>();
  for (const { e, keys } of keyed) {
    for (const key of keys) {
      const row = changes.has(key) ? changes.get(key)! : stored(key);
      // An inline projection already applied this event in the append's transaction.
      if (projection.inline && row && row.streamId === e.streamId && row.revision !== null && row.revision >= e.revision) continue;
      const next = projection.evolve(row ? row.doc : null, e, key);
      changes.set(key, next === null ? null : { doc: next, streamId: e.streamId, revision: e.revision });
    }
  }
  await store.save(db, changes);
  return changes.size;
}
