import type { Checkpoint } from '../event-store/envelope';
import type { LeaderLock } from '../database/leader-lock';
import { sleep } from '../shared/waker';
import { applyEvents } from '../event-store/postgres/apply-events';
import { FenceLost, inBatchTransaction } from './batch-transaction';
import { CheckpointRow, ensureCheckpoint, ProjectionState } from './checkpoint-store';
import { projectionLock } from './projection-lock';
import { liveTable } from '../event-store/postgres/row-store';
import type { RunnerDeps } from './runner-deps';
import { rebuildTogetherHere } from './rebuild-together';
import { ShadowRebuild, takeRebuildRequest } from './shadow-rebuild';

export type { RebuildProgress, RunnerEventSource, WorkerOptions } from './runner-deps';

interface Failure {
  readonly message: string;
  readonly at: Date;
  readonly retryAt: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

// Each live batch moves the checkpoint only from where this runner left it (a fence on top of the lock).
const ADVANCE_SQL = `
  UPDATE projection_checkpoints
     SET checkpoint = $2, position = $3, events_processed = events_processed + $4,
         last_event_at = $5, state = $6,
         error = CASE WHEN $6 = 'failed' THEN error END, error_at = CASE WHEN $6 = 'failed' THEN error_at END,
         updated_at = now()
   WHERE name = $1 AND checkpoint IS NOT DISTINCT FROM $7`;

/**
 * The live runner of one projection: takes its leader lock (or waits as a standby), catches up
 * from the checkpoint, then applies new events as they are appended. Each batch and its checkpoint
 * commit together. A failed batch shows `failed` with its error and is tried again after
 * retryMs. A rebuild (version change or request) is a ShadowRebuild, stepped between live batches.
 */
export class ProjectionWorker {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly lock: LeaderLock;
  private readonly handled: Set<string>;
  private readonly table: string;

  private checkpoint: Checkpoint | null = null;
  private behind = true;
  private rebuild: ShadowRebuild | null = null;
  private liveFailure: Failure | null = null;
  private rebuildFailure: Failure | null = null;
  private persistedState: ProjectionState | null = null;
  private versionWarned = false;
  /** What this process is doing for the projection (status across processes comes from the table). */
  role: 'idle' | 'standby' | 'holder' | 'stopped' = 'idle';

  constructor(private readonly deps: RunnerDeps) {
    this.lock = projectionLock(deps.databaseUrl, deps.projection.name, deps.log);
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
    return (await rebuildTogetherHere([this], reason)).length === 1;
  }

  /** rebuildTogetherHere's first part: the lock, and a fresh rebuild. False when another process holds the lock. */
  async claimRebuildHere(reason: string): Promise<ShadowRebuild | null> {
    if (!(await this.lock.tryAcquire())) {
      await this.lock.release();
      return null;
    }
    try {
      await this.attach();
      await this.startRebuild(reason);
      return this.rebuild;
    } catch (err) {
      await this.releaseHere();
      throw err;
    }
  }

  /** Steps the claimed rebuild to its swap (what a shared pass left is little). */
  async finishRebuildHere(): Promise<void> {
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
  }

  /** Records a failed shared pass where status shows it. */
  async rebuildFailedHere(err: unknown): Promise<void> {
    this.rebuildFailure = await this.fail(err, 'rebuild');
  }

  /** Marks the projection stopped and lets the lock go. */
  async releaseHere(): Promise<void> {
    await this.markStopped();
    await this.lock.release();
  }

  /** Whether this process still holds the projection's lock. */
  get holdsLock(): boolean {
    return this.lock.held;
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
      try {
        await this.runHeld(signal);
      } catch (err) {
        log.error({ event: 'projection.runner_error', projection: this.name, err: message(err) }, `projection ${this.name} stopped running: ${message(err)}`);
        if (!signal.aborted) await sleep(options.lockRetryMs, signal);
      }
      if (signal.aborted) break;
      // The lock connection dropped or another runner moved the checkpoint: back off, start over.
      await this.releaseHeld();
      await sleep(options.lockRetryMs, signal);
    }
    if (this.lock.held) await this.markStopped();
    await this.releaseHeld();
  }

  /** Lets the lock go (projection.lock_released is logged before the unlock). */
  private async releaseHeld(): Promise<void> {
    if (this.role === 'holder') this.role = 'standby';
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
    this.rebuild = await ShadowRebuild.resume(this.deps, row);
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
        const requested = await takeRebuildRequest(this.deps.pool, this.name, this.rebuild !== null);
        if (requested) await this.startRebuild(requested);
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
    await this.deps.pool.query(`UPDATE projection_checkpoints SET state = $2, error = $3, error_at = $4, updated_at = now() WHERE name = $1`, [
      this.name,
      state,
      errors.length ? errors.map((f) => f.message).join('; ') : null,
      errors.length ? errors[0].at : null,
    ]);
    this.persistedState = state;
  }

  private async markStopped(): Promise<void> {
    await this.deps.pool
      .query(`UPDATE projection_checkpoints SET state = CASE WHEN state = 'failed' THEN state ELSE 'stopped' END, updated_at = now() WHERE name = $1`, [
        this.name,
      ])
      .catch(() => undefined);
    this.persistedState = null;
  }

  /** Rolls nothing back itself (the step's transaction did), records the error where status shows it. */
  private async fail(err: unknown, track: 'live' | 'rebuild'): Promise<Failure> {
    const { log, options, projection } = this.deps;
    const text = `${track === 'rebuild' ? 'rebuild: ' : ''}${message(err)}`;
    const failure: Failure = { message: text, at: new Date(), retryAt: Date.now() + options.retryMs };
    log.error(
      {
        event: 'projection.failed',
        projection: projection.name,
        track,
        err: message(err),
        checkpoint: track === 'live' ? this.checkpoint : (this.rebuild?.checkpoint ?? null),
        retryInMs: options.retryMs,
      },
      `projection ${projection.name} failed (${track}); retrying in ${options.retryMs} ms: ${message(err)}`,
    );
    await this.deps.pool
      .query(`UPDATE projection_checkpoints SET state = 'failed', error = $2, error_at = $3, updated_at = now() WHERE name = $1`, [
        projection.name,
        text,
        failure.at,
      ])
      .catch(() => undefined);
    this.persistedState = 'failed';
    return failure;
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
      await inBatchTransaction(pool, async (c) => {
        const r = await c.query(ADVANCE_SQL, params);
        if (!r.rowCount) throw new FenceLost('the checkpoint');
        await applyEvents(c, projection, batch, this.table);
      });
    }
    this.deps.log.debug(
      { event: 'projection.batch', projection: projection.name, from: this.checkpoint, to: last.checkpoint, events: batch.length },
      'batch applied',
    );
    this.checkpoint = last.checkpoint;
    this.persistedState = state;
    return this.behind;
  }

  // ---- the rebuild track ---------------------------------------------------------------------

  private async startRebuild(reason: string): Promise<void> {
    this.rebuild = await ShadowRebuild.start(this.deps, reason);
    this.rebuildFailure = null;
    this.persistedState = 'rebuilding';
  }

  /** One step of the rebuild; after the swap the live track goes on from the swapped-in checkpoint. False while the swap waits. */
  private async rebuildStep(): Promise<boolean> {
    const step = await this.rebuild!.step();
    if (step.kind === 'swap_waiting') return false;
    if (step.kind === 'swapped') {
      this.checkpoint = step.checkpoint;
      this.rebuild = null;
      this.behind = true;
      this.liveFailure = null;
      this.persistedState = 'live';
    }
    return true;
  }
}
