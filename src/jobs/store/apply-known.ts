import type { Projection } from '../../../projections/projection';
import type { RecordedEvent } from '../../event-store/envelope';
import type { Queryable } from '../../event-store/postgres/postgres-event-store';
import { liveTable, RowStore, StoredRow } from '../../projection-runner/row-store';

/**
 * The inline projection step for rows the caller already holds locked (a claim's candidates, a
 * completion's locked runs, a brand-new run's null): folds the events onto those rows and writes
 * them back in one statement, skipping the reload applyEvents would do. Same result as applyEvents.
 */
export async function applyToKnownRows<Row>(db: Queryable, projection: Projection<Row>, known: ReadonlyMap<string, Row | null>, events: readonly RecordedEvent[]): Promise<void> {
  const handled = new Set(projection.canHandle);
  const changes = new Map<string, StoredRow<Row> | null>();
  for (const e of events) {
    if (!handled.has(e.type)) continue;
    for (const key of projection.keysOf(e)) {
      if (!known.has(key)) throw new Error(`applyToKnownRows: row ${key} was not loaded`);
      const prev = changes.has(key) ? changes.get(key)?.doc ?? null : known.get(key) ?? null;
      const next = projection.evolve(prev, e, key);
      changes.set(key, next === null ? null : { doc: next, streamId: e.streamId, revision: e.revision });
    }
  }
  await new RowStore<Row>(liveTable(projection.name)).save(db, changes);
}
