import type { ClientBase } from 'pg';
import type { AppendResult, EventToAppend, ExpectedRevision, RecordedEvent } from './envelope';
import type { ReadStreamOptions } from './event-store.port';

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
}

/**
 * The SQL transaction of a unit of work, for rows the caller owns and must commit with the events:
 * idempotency keys, inline read models, the audit chain head. Only adapters over a SQL database
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
export interface UnitOfWork {
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Several streams in one call (one statement on PostgreSQL), each stream at most once. No
   * event-id replay detection here: an event id that is already stored fails the unit.
   */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** The stream as this unit sees it: committed events plus the unit's own appends. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The unit's SQL transaction; null on adapters without one (in-memory, a KurrentDB adapter). */
  readonly sql: SqlSession | null;
}

export interface TransactOptions {
  /** SQL-backed adapters: statements sent with BEGIN (e.g. `SET LOCAL` planner settings). */
  readonly sqlSetup?: string;
}

/** The unit's SQL session, or a clear error for a caller that needs one on a store without SQL. */
export function sqlOf(uow: UnitOfWork): SqlSession {
  if (!uow.sql) throw new Error('this unit of work has no SQL transaction: caller-owned rows need a SQL-backed event store (PostgreSQL)');
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
