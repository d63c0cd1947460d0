import type { Pool } from 'pg';
import type { Checkpoint, RecordedEvent } from '../event-store/envelope';
import { applyEvents } from '../event-store/postgres/apply-events';
import { compareCheckpoints } from '../event-store/postgres/checkpoint';
import { FenceLost, inBatchTransaction } from './batch-transaction';
import { CheckpointRow, readCheckpoint } from './checkpoint-store';
import { liveTable } from '../event-store/postgres/row-store';
import type { RunnerDeps } from './runner-deps';
import { MemoryFold } from './memory-fold';
import { createShadow, shadowTable, swapShadowIn, tableExists } from './shadow-table';

/** What one step of a rebuild did: folded a batch, found the swap blocked by a reader, or swapped in. */
export type RebuildStep =
  { readonly kind: 'folded' } | { readonly kind: 'swap_waiting' } | { readonly kind: 'swapped'; readonly checkpoint: Checkpoint | null };

const isLockTimeout = (err: unknown) => (err as { code?: string })?.code === '55P03';

const DEFAULT_PAGES_PER_STEP = 100;
const DEFAULT_MEMORY_ROWS = 500_000;

const ADVANCE_SHADOW_SQL = `
  UPDATE projection_checkpoints SET rebuild_checkpoint = $2, rebuild_position = $3, updated_at = now()
   WHERE name = $1 AND rebuild_started_at IS NOT NULL AND rebuild_checkpoint IS NOT DISTINCT FROM $4`;

/**
 * A rebuild request left by any process (API, CLI) for the runner that holds the lock: the reason
 * to start one, or null. A rebuild already in flight answers it (it finishes after the request).
 */
export async function takeRebuildRequest(pool: Pool, name: string, inFlight: boolean): Promise<string | null> {
  const row = await readCheckpoint(pool, name);
  if (!row?.rebuildRequestedAt) return null;
  if (!inFlight) return row.rebuildReason ?? 'requested';
  await pool.query(`UPDATE projection_checkpoints SET rebuild_requested_at = NULL WHERE name = $1 AND rebuild_requested_at = $2`, [
    name,
    row.rebuildRequestedAt,
  ]);
  return null;
}

/**
 * A blue/green rebuild of one projection: folds the log from position 0 into a shadow table step
 * by step (between the live runner's batches, its checkpoint in `rebuild_checkpoint`; each step
 * streams many pages through one cursor and folds them in memory, see foldTogether), then swaps
 * the shadow in for the live table. Survives a restart: the next holder resumes from the shadow
 * checkpoint. The live runner owns the lock and records failures; this only folds and swaps.
 */
export class ShadowRebuild {
  private position: bigint;
  private events = 0;
  private readonly handled: ReadonlySet<string>;
  private readonly startedAt = Date.now();
  /** The shadow table's rows as folded so far (written at the end of each step). */
  private readonly fold: MemoryFold;

  private constructor(
    private readonly deps: RunnerDeps,
    readonly reason: string,
    private shadowCheckpoint: Checkpoint | null,
    position: bigint,
    fresh: boolean,
  ) {
    this.position = position;
    this.handled = new Set(deps.projection.canHandle);
    this.fold = new MemoryFold(deps.projection, shadowTable(deps.projection.name), fresh, deps.options.rebuildMemoryRows ?? DEFAULT_MEMORY_ROWS);
  }

  /** A fresh shadow table and a rebuild from position 0. */
  static async start(deps: RunnerDeps, reason: string): Promise<ShadowRebuild> {
    const { projection, pool, log } = deps;
    await inBatchTransaction(pool, async (c) => {
      await createShadow(c, projection.name);
      await c.query(
        `UPDATE projection_checkpoints
            SET rebuild_started_at = now(), rebuild_reason = $2, rebuild_checkpoint = NULL, rebuild_position = 0,
                rebuild_requested_at = NULL, state = 'rebuilding', updated_at = now()
          WHERE name = $1`,
        [projection.name, reason],
      );
    });
    log.info(
      { event: 'projection.rebuild_started', projection: projection.name, version: projection.version, reason },
      `rebuilding projection ${projection.name} into ${shadowTable(projection.name)}: ${reason}`,
    );
    return new ShadowRebuild(deps, reason, null, 0n, true);
  }

  /** The rebuild a previous holder left in flight, when its shadow table survived. */
  static async resume(deps: RunnerDeps, row: CheckpointRow): Promise<ShadowRebuild | null> {
    const { projection, pool, log } = deps;
    if (!row.rebuildStartedAt || !(await tableExists(pool, shadowTable(projection.name)))) return null;
    const r = new ShadowRebuild(deps, row.rebuildReason ?? 'resumed', row.rebuildCheckpoint, row.rebuildPosition ?? 0n, false);
    log.info({ event: 'projection.rebuild_resumed', projection: projection.name, position: Number(r.position) }, `resuming the rebuild of ${projection.name}`);
    return r;
  }

  /** Where the shadow table stands in the log. */
  get checkpoint(): Checkpoint | null {
    return this.shadowCheckpoint;
  }

  /** One step (rebuildPagesPerStep pages) into the shadow table; at the readable head, the swap. */
  async step(): Promise<RebuildStep> {
    if (await ShadowRebuild.foldTogether([this])) return this.swap();
    return { kind: 'folded' };
  }

  /**
   * One pass over the log for several rebuilds at once (one projection each, all through the same
   * store and pool; each may stand at its own checkpoint): the log is read once, from the earliest
   * of them, through one cursor (streamAll), each page folded in memory into every rebuild it is
   * new to; then each rebuild writes its changed rows and its shadow checkpoint in one
   * transaction. At most rebuildPagesPerStep pages. True when the pass reached the readable head.
   */
  static async foldTogether(rebuilds: readonly ShadowRebuild[]): Promise<boolean> {
    if (!rebuilds.length) return true;
    const { store, options, pool } = rebuilds[0].deps;
    const pageSize = options.rebuildBatchSize;
    const limit = pageSize * (options.rebuildPagesPerStep ?? DEFAULT_PAGES_PER_STEP);
    const from = rebuilds.map((r) => r.shadowCheckpoint).reduce((a, b) => (compareCheckpoints(a, b) <= 0 ? a : b));
    const types = [...new Set(rebuilds.flatMap((r) => r.deps.projection.canHandle))];
    const folded = rebuilds.map(() => ({ last: null as RecordedEvent | null, count: 0 }));
    const onPage = async (page: RecordedEvent[]) => {
      for (const [i, r] of rebuilds.entries()) {
        const mine = r.shadowCheckpoint === from ? page : page.filter((e) => compareCheckpoints(e.checkpoint, r.shadowCheckpoint) > 0);
        if (!mine.length) continue;
        await r.fold.prepare(pool, mine);
        r.fold.apply(mine);
        folded[i] = { last: mine[mine.length - 1], count: folded[i].count + mine.length };
      }
    };
    let read = 0;
    try {
      if (store.streamAll) read = await store.streamAll(from, { limit, pageSize, types }, onPage);
      else {
        for (let at = from; read < limit;) {
          const page = await store.readAll(at, Math.min(pageSize, limit - read));
          read += page.length;
          if (page.length) await onPage(page);
          if (page.length < pageSize) break;
          at = page[page.length - 1].checkpoint;
        }
      }
    } catch (err) {
      // Memory may be ahead of the shadow table now: start over from the table.
      for (const r of rebuilds) r.fold.forget();
      throw err;
    }
    for (const [i, r] of rebuilds.entries()) if (folded[i].last) await r.commitFold(folded[i].last!, folded[i].count);
    return read < limit;
  }

  /** Writes the rows the step changed and moves the shadow checkpoint, in one transaction. */
  private async commitFold(last: RecordedEvent, count: number): Promise<void> {
    const { projection, pool } = this.deps;
    try {
      await inBatchTransaction(pool, async (c) => {
        const res = await c.query(ADVANCE_SHADOW_SQL, [projection.name, last.checkpoint, last.position.toString(), this.shadowCheckpoint]);
        if (!res.rowCount) throw new FenceLost('the rebuild checkpoint');
        await this.fold.flush(c);
      });
    } catch (err) {
      this.fold.forget();
      throw err;
    }
    this.fold.flushed();
    this.shadowCheckpoint = last.checkpoint;
    this.position = last.position;
    this.events += count;
    this.deps.onRebuildProgress?.({ projection: projection.name, position: this.position, events: this.events, done: false });
  }

  private handles(batch: readonly RecordedEvent[]): boolean {
    return batch.some((e) => this.handled.has(e.type));
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
  private async swap(): Promise<RebuildStep> {
    const { store, options, projection, log, pool } = this.deps;
    const shadow = shadowTable(projection.name);
    const live = liveTable(projection.name);
    let checkpoint = this.shadowCheckpoint;
    let position = this.position;
    let events = 0;
    let lastAt: Date | null = null;
    try {
      await inBatchTransaction(pool, async (c) => {
        await c.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.swapLockTimeoutMs))}`);
        await c.query(`LOCK TABLE ${live} IN ACCESS EXCLUSIVE MODE`);
        const row = await readCheckpoint(c, projection.name, true);
        if (!row || !row.rebuildStartedAt || row.rebuildCheckpoint !== this.shadowCheckpoint) throw new FenceLost('the rebuild checkpoint');
        for (;;) {
          const batch = await store.readAll(checkpoint, options.rebuildBatchSize, c);
          if (batch.length) {
            if (this.handles(batch)) await applyEvents(c, projection, batch, shadow);
            const last = batch[batch.length - 1];
            checkpoint = last.checkpoint;
            position = last.position;
            lastAt = last.recordedAt;
            events += batch.length;
          }
          if (batch.length < options.rebuildBatchSize) break;
        }
        if (projection.inline) {
          for (let from = checkpoint; ;) {
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
        log.warn(
          { event: 'projection.swap_waiting', projection: projection.name },
          `the swap of ${projection.name} waits for a long reader of ${live}; trying again`,
        );
        return { kind: 'swap_waiting' };
      }
      throw err;
    }
    this.events += events;
    const ms = Date.now() - this.startedAt;
    this.deps.onRebuildProgress?.({ projection: projection.name, position, events: this.events, done: true });
    log.info(
      { event: 'projection.rebuilt', projection: projection.name, version: projection.version, reason: this.reason, events: this.events, ms },
      `projection ${projection.name} rebuilt at version ${projection.version} (${this.events} events in ${ms} ms) and swapped in`,
    );
    return { kind: 'swapped', checkpoint };
  }
}
