import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from './envelope';
import type { TransactOptions, UnitOfWork } from './unit-of-work';

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

/**
 * The event log. Appends are atomic per call; `readAll` never returns an event that could
 * still be preceded by one committing later (gap safety), and never an uncommitted one.
 */
export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Runs `work` as one unit of work (see UnitOfWork): everything it appends commits when it
   * resolves, nothing when it throws (the error is rethrown). Retrying is the caller's choice.
   */
  transact<T>(work: (uow: UnitOfWork) => Promise<T>, options?: TransactOptions): Promise<T>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events strictly after `from` (null = the start), in commit order, at most `limit`. */
  readAll(from: Checkpoint | null, limit: number): Promise<RecordedEvent[]>;
  /** Catch-up then live delivery, woken on append with a timed poll as the fallback. */
  subscribe(options: SubscribeOptions): Subscription;
  /** Head of the log: the newest readable checkpoint and its position/time (null when empty). */
  head(): Promise<{ checkpoint: Checkpoint; position: bigint; recordedAt: Date } | null>;
  close(): Promise<void>;
}
