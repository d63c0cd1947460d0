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
  const loaded = await store.load(
    db,
    [...new Set(keyed.flatMap((k) => k.keys))].filter((k) => !known?.has(k)),
    true,
  );
  const changes = foldRows(projection, keyed, (key) => {
    if (!known?.has(key)) return loaded.get(key) ?? null;
    const doc = known.get(key)!;
    return doc === null ? null : { doc, streamId: null, revision: null };
  });
  await store.save(db, changes);
  return changes.size;
}

/** Folds events (with the row keys each touches) in order onto the stored rows: the changed rows (null: removed). */
export function foldRows<Row>(
  projection: InlineProjection<Row>,
  keyed: readonly { e: RecordedEvent; keys: readonly string[] }[],
  stored: (key: string) => StoredRow<Row> | null,
): Map<string, StoredRow<Row> | null> {
  const changes = new Map<string, StoredRow<Row> | null>();
  for (const { e, keys } of keyed) {
    for (const key of keys) {
      const next = evolveRow(projection, changes.has(key) ? changes.get(key)! : stored(key), e, key);
      if (next !== undefined) changes.set(key, next);
    }
  }
  return changes;
}

/**
 * One event folded into one row: the row after it (null: removed), or undefined when the row has
 * seen the event already (an inline projection applied it in the append's transaction).
 */
export function evolveRow<Row>(
  projection: InlineProjection<Row>,
  row: StoredRow<Row> | null,
  e: RecordedEvent,
  key: string,
): StoredRow<Row> | null | undefined {
  if (projection.inline && row && row.streamId === e.streamId && row.revision !== null && row.revision >= e.revision) return undefined;
  const next = projection.evolve(row ? row.doc : null, e, key);
  return next === null ? null : { doc: next, streamId: e.streamId, revision: e.revision };
}
