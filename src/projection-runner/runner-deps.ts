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
  /**
   * The readable log after `from` in commit order, page by page, in one snapshot (a rebuild's
   * pass; events of other `types` may come without content). Sources without it are read page
   * by page with readAll.
   */
  streamAll?(
    from: Checkpoint | null,
    options: { limit: number; pageSize: number; types?: readonly string[] },
    onPage: (events: RecordedEvent[]) => Promise<void>,
  ): Promise<number>;
  /** Resolves on the next append anywhere, or after `ms`. Stores without it are polled. */
  waitForAppend?(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface WorkerOptions {
  /** Events per live transaction. */
  readonly batchSize: number;
  /** Events per page a rebuild reads. */
  readonly rebuildBatchSize: number;
  /**
   * Pages per rebuild step (default 100): a step folds them in memory, then writes the changed
   * rows and the shadow checkpoint in one transaction; the live track runs between steps.
   */
  readonly rebuildPagesPerStep?: number;
  /** Rows a rebuild keeps in memory between steps (default 500,000); past it, rows are read back from the shadow table as needed. */
  readonly rebuildMemoryRows?: number;
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
