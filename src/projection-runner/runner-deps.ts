import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Projection } from '../../projections/projection';
import type { Checkpoint, RecordedEvent } from '../event-store/envelope';
import type { Queryable } from '../event-store/postgres/postgres-event-store';

/** What the runner reads the log through: the PostgreSQL store (reads may join a transaction). */
export interface RunnerEventSource {
  readAll(from: Checkpoint | null, limit: number, db?: Queryable): Promise<RecordedEvent[]>;
  /** Committed events of these types after `from`, without gap safety (for inline projections at the swap). */
  readCommittedAfter(from: Checkpoint | null, types: readonly string[], limit: number, db?: Queryable): Promise<RecordedEvent[]>;
  /** Resolves on the next append anywhere, or after `ms`. Stores without it are polled. */
  waitForAppend?(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface WorkerOptions {
  /** Events per live transaction. */
  readonly batchSize: number;
  /** Events per shadow transaction while rebuilding. */
  readonly rebuildBatchSize: number;
  /** Fallback poll of the log, and how often a rebuild request is looked for. */
  readonly pollMs: number;
  /** Wait after a failed batch before it is tried again. */
  readonly retryMs: number;
  /** How often a process that does not hold the lock tries to take it. */
  readonly lockRetryMs: number;
  /** Rebuild when the stored version differs from the registered one. */
  readonly autoRebuild: boolean;
  /** Longest wait for the live table's lock at the swap; on timeout the swap is tried again later. */
  readonly swapLockTimeoutMs: number;
}

export interface RebuildProgress {
  readonly projection: string;
  /** Position of the last event folded into the shadow table. */
  readonly position: bigint;
  /** Events folded into the shadow so far, by this process. */
  readonly events: number;
  readonly done: boolean;
}

/** What a projection's runner works with; the live runner and its shadow rebuild share one object. */
export interface RunnerDeps {
  readonly pool: Pool;
  readonly store: RunnerEventSource;
  readonly databaseUrl: string;
  readonly projection: Projection;
  readonly log: Logger;
  readonly options: WorkerOptions;
  readonly onRebuildProgress?: (p: RebuildProgress) => void;
}
