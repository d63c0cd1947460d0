import { inTransaction } from '../../database/transaction';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { jobQueueProjection, QueueRow } from '../../../projections/job-queue/job-queue.projection';
import type { RunRow } from '../../../projections/job-runs/run-row';
import { evolveRun } from '../../../projections/job-runs/run.evolve';
import type { EventMetadata, RecordedEvent } from '../../event-store/envelope';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { applyEvents } from '../../projection-runner/apply-events';
import type { Decision } from '../decision';
import { RunEvent, runStream } from '../events/run.events';
import { applyToKnownRows } from './apply-known';
import { appendToStreams } from './multi-stream-append';

export interface RunChange {
  readonly runId: string;
  readonly expected: 'no_stream' | bigint;
  readonly events: readonly RunEvent[];
  readonly metadata?: Partial<EventMetadata>;
}

export interface LockedRun {
  readonly runId: string;
  readonly row: QueueRow;
  readonly revision: bigint;
  /** False when the janitor already dropped it from the queue view (row read from history). */
  readonly inQueue: boolean;
}

/** Wakes idle workers at once after an enqueue commits (they also poll as a fallback). */
export const JOBS_CHANNEL = 'ol_jobs';

/**
 * The one way run streams are written: lock the run's queue row, decide on it, append with the
 * row's revision as the expected revision, and apply the inline projections (queue, history) in
 * the same transaction. Every writer locks first, so a conflict means a writer outside this path.
 */
export class RunWriter {
  constructor(
    readonly pool: Pool,
    private readonly log: Logger,
  ) {}

  /**
   * Appends the changes and folds them into rm_job_queue (inline), inside `c`'s transaction.
   * `known` holds the queue rows the caller has locked (null for new runs): those are folded
   * without a reload. Runs the janitor dropped from the queue view are not put back.
   */
  async commit(c: PoolClient, changes: readonly RunChange[], opts: { notify?: boolean; known?: ReadonlyMap<string, QueueRow | null>; notInQueue?: ReadonlySet<string> } = {}): Promise<RecordedEvent[]> {
    const withEvents = changes.filter((ch) => ch.events.length);
    if (!withEvents.length) return [];
    const recorded = await appendToStreams(
      c,
      withEvents.map((ch) => ({ streamId: runStream(ch.runId), expected: ch.expected, events: ch.events.map((e) => ({ ...e, metadata: ch.metadata })) })),
    );
    const runOf = (e: RecordedEvent) => e.streamId.slice('job-'.length);
    const forQueue = recorded.filter((e) => !opts.notInQueue?.has(runOf(e)));
    const known = opts.known ?? new Map();
    await applyToKnownRows(c, jobQueueProjection, known, forQueue.filter((e) => known.has(runOf(e))));
    const unknown = forQueue.filter((e) => !known.has(runOf(e)));
    if (unknown.length) await applyEvents(c, jobQueueProjection, unknown);
    if (opts.notify) await c.query(`SELECT pg_notify('${JOBS_CHANNEL}', '')`);
    return recorded;
  }

  /** Locks the runs' rows (the queue's; for runs the janitor dropped from it, see below). */
  async lock(c: PoolClient, runIds: readonly string[]): Promise<Map<string, LockedRun>> {
    const out = new Map<string, LockedRun>();
    if (!runIds.length) return out;
    const sorted = [...new Set(runIds)].sort();
    const q = await c.query<{ key: string; doc: QueueRow; revision: string }>(`SELECT key, doc, revision FROM rm_job_queue WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`, [sorted]);
    for (const r of q.rows) out.set(r.key, { runId: r.key, row: r.doc, revision: BigInt(r.revision), inQueue: true });
    // Runs the janitor dropped from the queue view: fold their streams (the async history could lag,
    // and appends need the exact head revision). A transaction-level advisory lock per run keeps
    // two writers of such a run apart, as the row lock does for queued ones.
    for (const id of sorted.filter((x) => !out.has(x))) {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [runStream(id)]);
      const { rows } = await c.query<{ revision: string; type: string; data: unknown; metadata: Record<string, unknown>; recorded_at: Date }>(
        'SELECT revision, type, data, metadata, recorded_at FROM events WHERE stream_id = $1 ORDER BY revision',
        [runStream(id)],
      );
      let row: RunRow | null = null;
      for (const e of rows) row = evolveRun(row, { type: e.type, data: e.data, metadata: e.metadata as never, recordedAt: e.recorded_at });
      if (row) out.set(id, { runId: id, row, revision: BigInt(rows[rows.length - 1].revision), inQueue: false });
    }
    return out;
  }

  /** `act` inside the caller's transaction. */
  async actIn(c: PoolClient, runIds: readonly string[], decide: (row: QueueRow | null, runId: string) => Decision, metadata?: (runId: string) => Partial<EventMetadata> | undefined): Promise<Map<string, Decision>> {
    const locked = await this.lock(c, runIds);
    const decisions = new Map<string, Decision>();
    const changes: RunChange[] = [];
    for (const id of runIds) {
      const l = locked.get(id);
      const d = decide(l?.row ?? null, id);
      decisions.set(id, d);
      if (d.ok && l) changes.push({ runId: id, expected: l.revision, events: d.events, metadata: metadata?.(id) });
    }
    await this.commit(c, changes, {
      notify: changes.some((ch) => ch.events.some((e) => e.type === 'RetryScheduled')),
      known: new Map([...locked.values()].filter((l) => l.inQueue).map((l) => [l.runId, l.row])),
      notInQueue: new Set([...locked.values()].filter((l) => !l.inQueue).map((l) => l.runId)),
    });
    return decisions;
  }

  /**
   * Decides for each run under its row lock and commits all accepted decisions in one transaction.
   * Retries the whole batch on a conflict (a writer that bypassed the lock), at most 3 times.
   */
  async act(runIds: readonly string[], decide: (row: QueueRow | null, runId: string) => Decision, metadata?: (runId: string) => Partial<EventMetadata> | undefined): Promise<Map<string, Decision>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await inTransaction(this.pool, (c) => this.actIn(c, runIds, decide, metadata));
      } catch (err) {
        if (err instanceof ExpectedVersionConflict && attempt < 3) {
          this.log.warn({ event: 'background_job.write_conflict', runIds: runIds.slice(0, 5), attempt }, 'run stream changed under a lock; retrying');
          continue;
        }
        throw err;
      }
    }
  }
}
