import type { Projection } from '../../projections/projection';
import type { RecordedEvent } from '../event-store/envelope';
import { evolveRow } from '../event-store/postgres/apply-events';
import { RowStore, StoredRow } from '../event-store/postgres/row-store';
import type { SqlSession } from '../event-store/unit-of-work';

/** Rows written per statement when a fold is flushed. */
const SAVE_CHUNK = 5000;

/**
 * A rebuild's rows in memory: events fold into a Map, and only the rows that changed since the
 * last flush are written to the shadow table (multi-row upserts), so a row touched by a thousand
 * events is written once per flush instead of once per batch. Past `maxRows` rows the clean ones
 * are dropped after a flush, and rows not in memory are read from the table before their events
 * are folded (one query per page of events).
 */
export class MemoryFold<Row = unknown> {
  private readonly rows = new Map<string, StoredRow<Row> | null>();
  private readonly dirty = new Set<string>();
  private readonly store: RowStore<Row>;
  private readonly handled: ReadonlySet<string>;
  /** Every row of the table is in `rows` (a fresh table, or one loaded whole). */
  private complete: boolean;

  constructor(
    readonly projection: Projection<Row>,
    table: string,
    fresh: boolean,
    private readonly maxRows: number,
  ) {
    this.store = new RowStore<Row>(table);
    this.handled = new Set(projection.canHandle);
    this.complete = fresh;
  }

  handles(type: string): boolean {
    return this.handled.has(type);
  }

  /** Reads, from the table, the rows of these events' keys that are not in memory. */
  async prepare(db: SqlSession, events: readonly RecordedEvent[]): Promise<void> {
    if (this.complete) return;
    const missing = new Set<string>();
    for (const e of events) if (this.handled.has(e.type)) for (const k of this.projection.keysOf(e)) if (!this.rows.has(k)) missing.add(k);
    if (!missing.size) return;
    const loaded = await this.store.load(db, [...missing], false);
    for (const k of missing) this.rows.set(k, loaded.get(k) ?? null);
  }

  /** Folds events (in log order) whose rows are in memory (see prepare). */
  apply(events: readonly RecordedEvent[]): void {
    for (const e of events) {
      if (!this.handled.has(e.type)) continue;
      for (const key of this.projection.keysOf(e)) {
        const next = evolveRow(this.projection, this.rows.get(key) ?? null, e, key);
        if (next === undefined) continue;
        this.rows.set(key, next);
        this.dirty.add(key);
      }
    }
  }

  /** Writes the changed rows in the caller's transaction; returns how many. */
  async flush(db: SqlSession): Promise<number> {
    const keys = [...this.dirty];
    for (let i = 0; i < keys.length; i += SAVE_CHUNK) {
      await this.store.save(db, new Map(keys.slice(i, i + SAVE_CHUNK).map((k) => [k, this.rows.get(k) ?? null])));
    }
    return keys.length;
  }

  /** After the flush committed: nothing is dirty; past maxRows, memory lets go of the rows. */
  flushed(): void {
    this.dirty.clear();
    if (this.rows.size > this.maxRows) {
      this.rows.clear();
      this.complete = false;
    }
  }

  /** After a failed flush: memory may be ahead of the table, so it starts over from the table. */
  forget(): void {
    this.rows.clear();
    this.dirty.clear();
    this.complete = false;
  }
}
