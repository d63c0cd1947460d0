import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from './envelope';
import type { EventFilter, ReadStreamsOptions, StreamsQuery } from './event-filter';
import type { SqlSession, StreamAppend, TransactOptions, UnitOfWork } from './unit-of-work';

export const EVENT_STORE = Symbol('EVENT_STORE');

export interface ReadStreamOptions {
  /** Read from this revision (inclusive). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface Subscription {
  /** Resolves once the subscription has stopped delivering. */
  stop(): Promise<void>;
}

export interface SubscribeOptions {
  readonly from: Checkpoint | null;
  readonly batchSize?: number;
  /** Called with each batch in log order; the next batch is read after it resolves. */
  readonly onBatch: (events: readonly RecordedEvent[]) => Promise<void>;
  readonly onError?: (err: unknown) => void;
}

/** One end of the log. */
export interface LogEnd {
  readonly checkpoint: Checkpoint;
  readonly position: bigint;
  readonly recordedAt: Date;
}

/** Reads of single events and of streams: the same on the store, in a unit of work and in a snapshot. */
export interface StreamReader {
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of several streams, stream after stream, each in revision order (see StreamsQuery). */
  readStreams(query: StreamsQuery, options?: ReadStreamsOptions): Promise<RecordedEvent[]>;
  /** The stored events among these ids (unknown ids are left out), in log order. */
  readEvents(eventIds: readonly string[]): Promise<RecordedEvent[]>;
}

export interface LogReader extends StreamReader {
  /** Events strictly after `from` (null = the start), in commit order, at most `limit`, passing `filter`. */
  readAll(from: Checkpoint | null, limit: number, filter?: EventFilter): Promise<RecordedEvent[]>;
}

export interface ScanOptions {
  /** Commit order (the default, resumable from a checkpoint) or position order. */
  readonly order?: 'commit' | 'position';
  /** Only in commit order; in position order, narrow by `filter.positions`. */
  readonly from?: Checkpoint | null;
  readonly pageSize?: number;
  /**
   * Each event as written: `data` and `schemaVersion` before upcasting (a backup keeps what was
   * stored; a MAC covers the stored content).
   */
  readonly stored?: boolean;
}

/**
 * The log as it stood at one instant. Reads see every commit before the snapshot began and none
 * after, so several reads agree with each other (no gap safety needed: nothing is in flight).
 */
export interface SnapshotReader extends LogReader {
  /**
   * The events passing `filter`, page by page (one query's cursor where the store has one). Position
   * order is the order events were written in: a sequence built under a lock (the audit chain) is
   * in it, while commit order may place a writer that waited for the lock before its holder.
   */
  scan(filter?: EventFilter, options?: ScanOptions): AsyncIterable<RecordedEvent[]>;
  /** The snapshot's read-only SQL transaction, for caller rows read at the same instant; null without one. */
  readonly sql: SqlSession | null;
}

/**
 * A read model folded inside the append's transaction (projections/projection.ts's Projection has
 * this shape). Its rows must each be changed by one stream only.
 */
export interface InlineProjection<Row = unknown> {
  readonly name: string;
  /** Must be true: the projection runner then skips, on catch-up, what a row has already seen. */
  readonly inline?: boolean;
  readonly canHandle: readonly string[];
  /**
   * `evolve` reads only what the writer decides (event id, stream, revision, type, data, metadata),
   * never the store's `position`, `recordedAt` or `checkpoint`: an adapter may then fold an append
   * onto rows the caller holds (`knownRows`) before storing it, and write the events and the rows
   * in one statement.
   */
  readonly foldBeforeInsert?: boolean;
  keysOf(event: RecordedEvent): readonly string[];
  evolve(row: Row | null, event: RecordedEvent, key: string): Row | null;
}

export interface AppendOptions {
  /**
   * Per inline projection (by name): rows the caller has read and locked in this unit, by key
   * (null: no row). The store folds the events onto them instead of loading them again, so they
   * must be the rows as stored (the job queue's claim and completion paths hold theirs).
   */
  readonly knownRows?: Readonly<Record<string, ReadonlyMap<string, unknown>>>;
}

/**
 * The event log. Appends are atomic per call; `readAll` never returns an event that could
 * still be preceded by one committing later (gap safety), and never an uncommitted one.
 * Inline projections registered with the store are applied by every append of an event they
 * handle, in the append's transaction.
 */
export interface EventStore extends LogReader {
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /**
   * Several streams at once, all or nothing (each stream at most once, each at its expected
   * revision; ExpectedVersionConflict stores nothing), with the inline projections: a unit of
   * work holding one `appendMany`, without the unit's round trips where the adapter can (PostgreSQL:
   * one statement when every stream's expected revision is exact or `no_stream` and the caller
   * holds every row an inline projection folds). No event-id replay detection, as in a unit.
   */
  appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;
  /**
   * Runs `work` as one unit of work (see UnitOfWork): everything it appends commits when it
   * resolves, nothing when it throws (the error is rethrown). Retrying is the caller's choice.
   */
  transact<T>(work: (uow: UnitOfWork) => Promise<T>, options?: TransactOptions): Promise<T>;
  /** Runs `work` over one consistent snapshot of the log (backup, point-in-time folds, what-if, audit verify). */
  atSnapshot<T>(work: (reader: SnapshotReader) => Promise<T>, options?: TransactOptions): Promise<T>;
  /** Catch-up then live delivery, woken on append with a timed poll as the fallback. */
  subscribe(options: SubscribeOptions): Subscription;
  /** Head of the log: the newest readable checkpoint and its position/time (null when empty). */
  head(): Promise<LogEnd | null>;
  /** How many readable events come after `from` in the log's order, counting at most `cap` (projection lag). */
  countAfter(from: Checkpoint | null, cap: number): Promise<number>;
  /** When the earliest event of the log was recorded (null when empty). */
  oldestRecordedAt(): Promise<Date | null>;
  /** Whether `text` is a checkpoint this store could have handed out (well formed, in range). */
  isCheckpoint(text: string): boolean;
  /**
   * From now on, every append of an event `projection` handles also folds it into the
   * projection's rows, in the same transaction. Registering the same projection again is a no-op.
   */
  registerInline<Row>(projection: InlineProjection<Row>): void;
  close(): Promise<void>;
}
