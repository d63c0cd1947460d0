import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Projection } from '../../projections/projection';
import type { Checkpoint, RecordedEvent } from '../event-store/envelope';
import type { Queryable } from '../event-store/postgres/postgres-event-store';
import { applyEvents } from '../event-store/postgres/apply-events';
import { CheckpointRow, ensureCheckpoint, ProjectionState, readCheckpoint } from './checkpoint-store';
import { ProjectionLock } from './projection-lock';
import { liveTable } from '../event-store/postgres/row-store';
import { createShadow, shadowTable, swapShadowIn, tableExists } from './shadow-table';

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

interface Failure {
  readonly message: string;
  readonly at: Date;
  readonly retryAt: number;
}

interface Rebuild {
  readonly reason: string;
  checkpoint: Checkpoint | null;
  position: bigint;
  events: number;
  readonly startedAt: number;
}

/** Another process moved the checkpoint: we are not (or no longer) the only runner. */
class FenceLost extends Error {
  constructor(what: string) {
    super(`${what} moved under this runner; giving the lock up`);
  }
}

const isLockTimeout = (err: unknown) => (err as { code?: string })?.code === '55P03';
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

// Each live batch moves the checkpoint only from where this runner left it (a fence on top of the lock).
const ADVANCE_SQL = `
  UPDATE projection_checkpoints
     SET checkpoint = $2, position = $3, events_processed = events_processed + $4,
         last_event_at = $5, state = $6,
         error = CASE WHEN $6 = 'failed' THEN error END, error_at = CASE WHEN $6 = 'failed' THEN error_at END,
         updated_at = now()
   WHERE name = $1 AND checkpoint IS NOT DISTINCT FROM $7`;

const ADVANCE_SHADOW_SQL = `
  UPDATE projection_checkpoints SET rebuild_checkpoint = $2, rebuild_position = $3, updated_at = now()
   WHERE name = $1 AND rebuild_started_at IS NOT NULL AND rebuild_checkpoint IS NOT DISTINCT FROM $4`;

/**
 * Runs one projection: takes its advisory lock (or waits as a standby), catches up from the
 * checkpoint, then applies new events as they are appended. Each batch and its checkpoint commit
 * together. A rebuild (version change or request) folds the log into a shadow table step by step
 * between live batches, then swaps it in under the live table's lock.
 */
export class ProjectionWorker {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly lock: ProjectionLock;
  private readonly handled: Set<string>;
  private readonly table: string;

  private checkpoint: Checkpoint | null = null;
  private behind = true;
  private rebuild: Rebuild | null = null;
  private liveFailure: Failure | null = null;
  private rebuildFailure: Failure | null = null;
  private persistedState: ProjectionState | null = null;
  private versionWarned = false;
  /** The next shadow batch, read while the current one is written. */
  private prefetch: { from: Checkpoint | null; batch: Promise<RecordedEvent[]> } | null = null;
  /** What this process is doing for the projection (status across processes comes from the table). */
  role: 'idle' | 'standby' | 'holder' | 'stopped' = 'idle';

  constructor(
    private readonly deps: {
      readonly pool: Pool;
      readonly store: RunnerEventSource;
      readonly databaseUrl: string;
      readonly projection: Projection<any>;
      readonly log: Logger;
      readonly options: WorkerOptions;
      readonly onRebuildProgress?: (p: RebuildProgress) => void;
    },
  ) {
    this.lock = new ProjectionLock(deps.databaseUrl, deps.projection.name);
    this.handled = new Set(deps.projection.canHandle);
    this.table = liveTable(deps.projection.name);
  }

  get name(): string {
    return this.deps.projection.name;
  }

  start(): void {
    if (!this.loop) this.loop = this.run(this.abort.signal);
  }

  /** Finishes the batch in flight, marks the projection stopped (when this process ran it) and lets the lock go. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.role = 'stopped';
  }

  /**
   * One-shot rebuild for the CLI: when no process runs the projection, take its lock here, fold
   * the shadow, swap, and let go. Returns false (doing nothing) when another process holds it.
   */
  async rebuildHere(reason: string): Promise<boolean> {
    if (!(await this.lock.tryAcquire())) {
      await this.lock.release();
      return false;
    }
    try {
      await this.attach();
      await this.startRebuild(reason);
      while (this.rebuild) {
        if (!this.lock.held) throw new Error('lost the connection that holds the projection lock');
        try {
          if (!(await this.rebuildStep())) await sleep(this.deps.options.pollMs);
          this.rebuildFailure = null;
        } catch (err) {
          this.rebuildFailure = await this.fail(err, 'rebuild');
          throw err;
        }
      }
      return true;
    } finally {
      await this.markStopped();
      await this.lock.release();
    }
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async run(signal: AbortSignal): Promise<void> {
    const { log, options } = this.deps;
    while (!signal.aborted) {
      let got = false;
      try {
        got = await this.lock.tryAcquire();
      } catch (err) {
        log.warn({ event: 'projection.lock_error', projection: this.name, err: message(err) }, `cannot reach the database to take the lock of ${this.name}`);
        await this.lock.release();
      }
      if (!got) {
        this.role = 'standby';
        await sleep(options.lockRetryMs, signal);
        continue;
      }
      this.role = 'holder';
      log.info({ event: 'projection.lock_acquired', projection: this.name }, `running projection ${this.name}`);
      try {
        await this.runHeld(signal);
      } catch (err) {
        log.error({ event: 'projection.runner_error', projection: this.name, err: message(err) }, `projection ${this.name} stopped running: ${message(err)}`);
        if (!signal.aborted) await sleep(options.lockRetryMs, signal);
      }
      if (signal.aborted) break;
      // The lock connection dropped or another runner moved the checkpoint: back off, start over.
      await this.releaseHeld();
      this.role = 'standby';
      await sleep(options.lockRetryMs, signal);
    }
    if (this.lock.held) await this.markStopped();
    await this.releaseHeld();
  }

  /**
   * Lets the lock go. Logged before the release, as lock_acquired is logged after taking it: the
   * two lines bracket every write of this runner and lie inside the time it held the lock.
   */
  private async releaseHeld(): Promise<void> {
    if (this.role === 'holder') {
      this.role = 'standby';
      this.deps.log.info({ event: 'projection.lock_released', projection: this.name }, `stopped running projection ${this.name}`);
    }
    await this.lock.release();
  }

  /** Loads the checkpoint row and any rebuild in flight (resumes it when the shadow table survived). */
  private async attach(): Promise<CheckpointRow> {
    const { pool, projection } = this.deps;
    const row = await ensureCheckpoint(pool, projection.name, projection.version);
    this.checkpoint = row.checkpoint;
    this.behind = true;
    this.persistedState = null;
    this.liveFailure = null;
    this.rebuildFailure = null;
    this.rebuild = null;
    this.prefetch = null;
    if (row.rebuildStartedAt && (await tableExists(pool, shadowTable(projection.name)))) {
      this.rebuild = { reason: row.rebuildReason ?? 'resumed', checkpoint: row.rebuildCheckpoint, position: row.rebuildPosition ?? 0n, events: 0, startedAt: Date.now() };
      this.deps.log.info({ event: 'projection.rebuild_resumed', projection: projection.name, position: Number(this.rebuild.position) }, `resuming the rebuild of ${projection.name}`);
    }
    return row;
  }

  private async runHeld(signal: AbortSignal): Promise<void> {
    const { projection, options, log } = this.deps;
    const row = await this.attach();
    if (!this.rebuild && row.version !== projection.version) {
      if (options.autoRebuild) await this.startRebuild(`version ${row.version} → ${projection.version}`);
      else if (!this.versionWarned) {
        this.versionWarned = true;
        log.warn(
          { event: 'projection.version_changed', projection: projection.name, stored: row.version, registered: projection.version },
          `projection ${projection.name} is at version ${row.version} in the database but ${projection.version} in code; PROJECTIONS_AUTO_REBUILD is off, so it goes on in place until rebuilt`,
        );
      }
    }
    let lastRequestCheck = 0;
    while (!signal.aborted && this.lock.held) {
      const now = Date.now();
      if (now - lastRequestCheck >= options.pollMs) {
        lastRequestCheck = now;
        await this.takeRebuildRequest();
      }
      let more = false;
      if (this.rebuild && (!this.rebuildFailure || now >= this.rebuildFailure.retryAt)) {
        try {
          more = (await this.rebuildStep()) || more;
          this.rebuildFailure = null;
        } catch (err) {
          if (err instanceof FenceLost) throw err;
          this.rebuildFailure = await this.fail(err, 'rebuild');
        }
      }
      if (!this.lock.held || signal.aborted) break;
      if (!this.liveFailure || now >= this.liveFailure.retryAt) {
        try {
          more = (await this.liveStep()) || more;
        } catch (err) {
          if (err instanceof FenceLost) {
            log.warn({ event: 'projection.fenced', projection: projection.name, err: err.message }, err.message);
            return;
          }
          this.liveFailure = await this.fail(err, 'live');
        }
      }
      await this.persistState();
      if (!more) await this.idle(signal);
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    const { store, options } = this.deps;
    const retries = [this.liveFailure?.retryAt, this.rebuildFailure?.retryAt].filter((t): t is number => t !== undefined);
    const ms = Math.max(1, Math.min(options.pollMs, ...retries.map((t) => t - Date.now())));
    return store.waitForAppend ? store.waitForAppend(ms, signal) : sleep(ms, signal);
  }

  private currentState(): ProjectionState {
    if (this.liveFailure || this.rebuildFailure) return 'failed';
    if (this.rebuild) return 'rebuilding';
    return this.behind ? 'catching_up' : 'live';
  }

  private async persistState(): Promise<void> {
    const state = this.currentState();
    if (state === this.persistedState) return;
    const errors = [this.liveFailure, this.rebuildFailure].filter((f): f is Failure => f !== null);
    await this.deps.pool.query(
      `UPDATE projection_checkpoints SET state = $2, error = $3, error_at = $4, updated_at = now() WHERE name = $1`,
      [this.name, state, errors.length ? errors.map((f) => f.message).join('; ') : null, errors.length ? errors[0].at : null],
    );
    this.persistedState = state;
  }

  private async markStopped(): Promise<void> {
    await this.deps.pool
      .query(`UPDATE projection_checkpoints SET state = CASE WHEN state = 'failed' THEN state ELSE 'stopped' END, updated_at = now() WHERE name = $1`, [this.name])
      .catch(() => undefined);
    this.persistedState = null;
  }

  /** Rolls nothing back itself (the step's transaction did), records the error where status shows it. */
  private async fail(err: unknown, track: 'live' | 'rebuild'): Promise<Failure> {
    const { log, options, projection } = this.deps;
    const text = `${track === 'rebuild' ? 'rebuild: ' : ''}${message(err)}`;
    const failure: Failure = { message: text, at: new Date(), retryAt: Date.now() + options.retryMs };
    log.error(
      { event: 'projection.failed', projection: projection.name, track, err: message(err), checkpoint: track === 'live' ? this.checkpoint : this.rebuild?.checkpoint ?? null, retryInMs: options.retryMs },
      `projection ${projection.name} failed (${track}); retrying in ${options.retryMs} ms: ${message(err)}`,
    );
    await this.deps.pool
      .query(`UPDATE projection_checkpoints SET state = 'failed', error = $2, error_at = $3, updated_at = now() WHERE name = $1`, [projection.name, text, failure.at])
      .catch(() => undefined);
    this.persistedState = 'failed';
    return failure;
  }

  /**
   * Batches commit with synchronous_commit off: rows and checkpoint are one transaction, so a
   * crash can only lose whole recent batches, which the runner then applies again — the read
   * model is derived data, and any later synchronous commit flushes these too.
   */
  private async inTransaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.deps.pool.connect();
    let broken = false;
    // A checked-out client has no pool listener: a backend killed between two statements would
    // otherwise raise an unhandled 'error' and take the process down.
    const onError = () => (broken = true);
    c.on('error', onError);
    try {
      await c.query('BEGIN; SET LOCAL synchronous_commit = off');
      const out = await work(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  // ---- live ----------------------------------------------------------------------------------

  /** One batch from the checkpoint into the live table. True when more is waiting. */
  private async liveStep(): Promise<boolean> {
    const { store, options, projection, pool } = this.deps;
    const batch = await store.readAll(this.checkpoint, options.batchSize);
    if (!batch.length) {
      this.behind = false;
      this.liveFailure = null;
      return false;
    }
    const last = batch[batch.length - 1];
    this.behind = batch.length === options.batchSize;
    this.liveFailure = null;
    const state = this.currentState();
    const params = [projection.name, last.checkpoint, last.position.toString(), batch.length, last.recordedAt, state, this.checkpoint];
    if (!batch.some((e) => this.handled.has(e.type))) {
      // Nothing this projection reads: advance the checkpoint in one statement, no transaction.
      const r = await pool.query(ADVANCE_SQL, params);
      if (!r.rowCount) throw new FenceLost('the checkpoint');
    } else {
      await this.inTransaction(async (c) => {
        const r = await c.query(ADVANCE_SQL, params);
        if (!r.rowCount) throw new FenceLost('the checkpoint');
        await applyEvents(c, projection, batch, this.table);
      });
    }
    this.deps.log.debug({ event: 'projection.batch', projection: projection.name, from: this.checkpoint, to: last.checkpoint, events: batch.length }, 'batch applied');
    this.checkpoint = last.checkpoint;
    this.persistedState = state;
    return this.behind;
  }

  // ---- rebuild -------------------------------------------------------------------------------

  private async takeRebuildRequest(): Promise<void> {
    const row = await readCheckpoint(this.deps.pool, this.name);
    if (!row?.rebuildRequestedAt) return;
    if (this.rebuild) {
      // The rebuild in flight answers it: it finishes after the request was made.
      await this.deps.pool.query(`UPDATE projection_checkpoints SET rebuild_requested_at = NULL WHERE name = $1 AND rebuild_requested_at = $2`, [this.name, row.rebuildRequestedAt]);
      return;
    }
    await this.startRebuild(row.rebuildReason ?? 'requested');
  }

  private async startRebuild(reason: string): Promise<void> {
    const { projection, log } = this.deps;
    await this.inTransaction(async (c) => {
      await createShadow(c, projection.name);
      await c.query(
        `UPDATE projection_checkpoints
            SET rebuild_started_at = now(), rebuild_reason = $2, rebuild_checkpoint = NULL, rebuild_position = 0,
                rebuild_requested_at = NULL, state = 'rebuilding', updated_at = now()
          WHERE name = $1`,
        [projection.name, reason],
      );
    });
    this.prefetch = null;
    this.rebuild = { reason, checkpoint: null, position: 0n, events: 0, startedAt: Date.now() };
    this.rebuildFailure = null;
    this.persistedState = 'rebuilding';
    log.info({ event: 'projection.rebuild_started', projection: projection.name, version: projection.version, reason }, `rebuilding projection ${projection.name} into ${shadowTable(projection.name)}: ${reason}`);
  }

  private readShadowBatch(from: Checkpoint | null): Promise<RecordedEvent[]> {
    const p = this.prefetch;
    this.prefetch = null;
    return p && p.from === from ? p.batch : this.deps.store.readAll(from, this.deps.options.rebuildBatchSize);
  }

  /** One batch into the shadow table; near the head, the swap. True while there is more to do. */
  private async rebuildStep(): Promise<boolean> {
    const { store, options, projection } = this.deps;
    const r = this.rebuild!;
    const batch = await this.readShadowBatch(r.checkpoint);
    if (batch.length < options.rebuildBatchSize) return this.swap();
    const last = batch[batch.length - 1];
    this.prefetch = { from: last.checkpoint, batch: store.readAll(last.checkpoint, options.rebuildBatchSize) };
    this.prefetch.batch.catch(() => undefined); // awaited (and its error seen) only if used
    await this.inTransaction(async (c) => {
      const res = await c.query(ADVANCE_SHADOW_SQL, [projection.name, last.checkpoint, last.position.toString(), r.checkpoint]);
      if (!res.rowCount) throw new FenceLost('the rebuild checkpoint');
      if (batch.some((e) => this.handled.has(e.type))) await applyEvents(c, projection, batch, shadowTable(projection.name));
    });
    r.checkpoint = last.checkpoint;
    r.position = last.position;
    r.events += batch.length;
    this.deps.onRebuildProgress?.({ projection: projection.name, position: r.position, events: r.events, done: false });
    return true;
  }

  /**
   * Under the live table's ACCESS EXCLUSIVE lock (readers wait for a moment, appenders of an inline
   * projection too): fold the shadow up to the head, rename live → old and shadow → live, drop
   * the old one, and set the checkpoint and version — all in one transaction.
   *
   * Inline projections: appenders wrote the old table in their own transactions, and every one
   * that did has committed (the lock waited for them), but an older transaction still open may
   * keep their events from being readable yet. Those events are folded into the shadow too
   * (their rows follow one stream each, so per-stream order is enough); the checkpoint stays at
   * the readable head, and when the runner reads them in commit order later, applyEvents skips
   * what a row has already seen. So no inline row goes missing from the swapped-in table.
   */
  private async swap(): Promise<boolean> {
    const { store, options, projection, log } = this.deps;
    const r = this.rebuild!;
    const shadow = shadowTable(projection.name);
    let checkpoint = r.checkpoint;
    let position = r.position;
    let events = 0;
    let lastAt: Date | null = null;
    try {
      await this.inTransaction(async (c) => {
        await c.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.swapLockTimeoutMs))}`);
        await c.query(`LOCK TABLE ${this.table} IN ACCESS EXCLUSIVE MODE`);
        const row = await readCheckpoint(c, projection.name, true);
        if (!row || !row.rebuildStartedAt || row.rebuildCheckpoint !== r.checkpoint) throw new FenceLost('the rebuild checkpoint');
        for (;;) {
          const batch = await store.readAll(checkpoint, options.rebuildBatchSize, c);
          if (batch.length) {
            if (batch.some((e) => this.handled.has(e.type))) await applyEvents(c, projection, batch, shadow);
            const last = batch[batch.length - 1];
            checkpoint = last.checkpoint;
            position = last.position;
            lastAt = last.recordedAt;
            events += batch.length;
          }
          if (batch.length < options.rebuildBatchSize) break;
        }
        if (projection.inline) {
          for (let from = checkpoint; ; ) {
            const ahead = await store.readCommittedAfter(from, projection.canHandle, options.rebuildBatchSize, c);
            if (ahead.length) await applyEvents(c, projection, ahead, shadow);
            if (ahead.length < options.rebuildBatchSize) break;
            from = ahead[ahead.length - 1].checkpoint;
          }
        }
        await swapShadowIn(c, projection.name);
        await c.query(
          `UPDATE projection_checkpoints
              SET version = $2, checkpoint = $3, position = $4, last_event_at = COALESCE($5, last_event_at),
                  state = 'live', error = NULL, error_at = NULL, rebuilt_at = now(), rebuild_started_at = NULL,
                  rebuild_checkpoint = NULL, rebuild_position = NULL, updated_at = now()
            WHERE name = $1`,
          [projection.name, projection.version, checkpoint, position.toString(), lastAt],
        );
      });
    } catch (err) {
      if (isLockTimeout(err)) {
        // Waiting longer would queue every reader behind the lock request: back off and retry.
        log.warn({ event: 'projection.swap_waiting', projection: projection.name }, `the swap of ${projection.name} waits for a long reader of ${this.table}; trying again`);
        return false;
      }
      throw err;
    }
    r.events += events;
    this.checkpoint = checkpoint;
    this.rebuild = null;
    this.behind = true;
    this.liveFailure = null;
    this.persistedState = 'live';
    this.deps.onRebuildProgress?.({ projection: projection.name, position, events: r.events, done: true });
    log.info(
      { event: 'projection.rebuilt', projection: projection.name, version: projection.version, reason: r.reason, events: r.events, ms: Date.now() - r.startedAt },
      `projection ${projection.name} rebuilt at version ${projection.version} (${r.events} events in ${Date.now() - r.startedAt} ms) and swapped in`,
    );
    return true;
  }
}
