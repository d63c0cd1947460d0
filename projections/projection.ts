import type { RecordedEvent } from '../src/event-store/envelope';

/**
 * A read model as a pure fold. Rows are JSON documents keyed by a string; the runner loads the
 * rows an event touches, applies `evolve` in log order and writes them back with the checkpoint
 * in one transaction. The same functions fold events in memory for point-in-time answers.
 * No Nest, no TypeORM, no I/O here. From src/ a projection imports event types only, except that a
 * row which is an aggregate's state (runs, tokens) is folded by that aggregate's own evolve (pure,
 * beside its decider): one fold, so the read model and the rules cannot disagree.
 */
export interface Projection<Row = unknown> {
  /** Stable name; the live table is `rm_<name>`. */
  readonly name: string;
  /** Bump when evolve or the row shape changes: the runner rebuilds into a shadow table and swaps. */
  readonly version: number;
  /**
   * Inline projections are also applied in the append's own transaction (PostgreSQL store), so a
   * read right after the append sees them (the job queue claims from one). Their rows must each be
   * changed by one stream only: per-stream revision order then equals commit order, and the runner
   * skips an event a row has already seen.
   */
  readonly inline?: boolean;
  /**
   * Inline only: `evolve` never reads an event's `position`, `recordedAt` or `checkpoint`, so the
   * store may fold an append before storing it and write rows and events in one statement.
   */
  readonly foldBeforeInsert?: boolean;
  /** Event types this projection reads; others are skipped without loading rows. */
  readonly canHandle: readonly string[];
  /** Keys of the rows the event changes. */
  keysOf(event: RecordedEvent): readonly string[];
  /** Next state of one row; null deletes it. Must not mutate `row`. */
  evolve(row: Row | null, event: RecordedEvent, key: string): Row | null;
}

/** Folds events into rows in memory: the in-process twin of the runner, used for `?at=` and tests. */
export function foldInMemory<Row>(projection: Projection<Row>, events: Iterable<RecordedEvent>, rows = new Map<string, Row>()): Map<string, Row> {
  const handled = new Set(projection.canHandle);
  for (const event of events) {
    if (!handled.has(event.type)) continue;
    for (const key of projection.keysOf(event)) {
      const next = projection.evolve(rows.get(key) ?? null, event, key);
      if (next === null) rows.delete(key);
      else rows.set(key, next);
    }
  }
  return rows;
}
