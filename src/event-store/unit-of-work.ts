import type { ClientBase } from 'pg';
import type { AppendResult, EventMetadata, EventToAppend, ExpectedRevision } from './envelope';
import type { AppendOptions, StreamReader } from './event-store.port';

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
}

/**
 * The SQL transaction of a unit of work, for rows the caller owns and must commit with the events:
 * idempotency keys, row locks, the audit chain head (inline read models are the store's own). Only adapters over a SQL database
 * have one; the port itself never speaks SQL.
 */
export type SqlSession = Pick<ClientBase, 'query'>;

/**
 * Appends to several streams that commit together or not at all. Each append is checked against
 * its expected revision when it is made, and again by the commit: if any stream moved in between
 * (a concurrent writer), the whole unit fails with ExpectedVersionConflict and nothing of it is
 * stored. A unit's appends are invisible to everyone else until it commits.
 *
 * Written so a store with a native multi-stream append (KurrentDB's MultiStreamAppend) can serve
 * it: reads go through `readStream`, writes through `append`/`appendMany`, nothing else is needed
 * unless the caller also writes its own rows (`sql`, SQL-backed adapters only).
 */
export interface UnitOfWork extends StreamReader {
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /**
   * Several streams in one call (one statement on PostgreSQL), each stream at most once. No
   * event-id replay detection here: an event id that is already stored fails the unit.
   */
  appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;
  /**
   * Loads a copy of a log (a backup) into an empty one, keeping each event's id, stream, revision,
   * time and, where the store can, position; in the archive's (commit) order. The unit holds the
   * log to itself from the first call; LogNotEmpty when it already has events. Inline projections
   * are not applied: read models are rebuilt from the restored log. Returns the events loaded.
   */
  restore(archive: AsyncIterable<ArchivedEvent>): Promise<number>;
  /** The unit's SQL transaction; null on adapters without one (in-memory, a KurrentDB adapter). */
  readonly sql: SqlSession | null;
}

/** An event as a backup holds it: everything the log recorded about it. */
export interface ArchivedEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/** A restore may only fill an empty log. */
export class LogNotEmpty extends Error {
  override readonly name = 'LogNotEmpty';
  constructor() {
    super('the log already has events: restore only into an empty store');
  }
}

export interface TransactOptions {
  /** SQL-backed adapters: statements sent with BEGIN (e.g. `SET LOCAL` planner settings or a statement timeout). */
  readonly sqlSetup?: string;
}

/** The SQL session of a unit (or a snapshot), or a clear error for a caller that needs one on a store without SQL. */
export function sqlOf(uow: { readonly sql: SqlSession | null }): SqlSession {
  if (!uow.sql) throw new Error('this unit of work (or snapshot) has no SQL transaction: caller-owned rows need a SQL-backed event store (PostgreSQL)');
  return uow.sql;
}

/** Throws if a stream appears twice in one appendMany (its revisions would collide). */
export function checkDistinctStreams(appends: readonly StreamAppend[]): void {
  const seen = new Set<string>();
  for (const a of appends) {
    if (seen.has(a.streamId)) throw new Error(`appendMany: stream ${a.streamId} appears twice; append its events in one entry`);
    seen.add(a.streamId);
  }
}
