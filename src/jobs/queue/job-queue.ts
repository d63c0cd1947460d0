import type { Logger } from 'pino';
import type { QueueRow } from '../../../projections/job-queue/job-queue.projection';
import type { EventMetadata } from '../../event-store/envelope';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import type { RecordedEvent } from '../../event-store/envelope';
import { runStream, type RunEnqueued } from '../events/run.events';
import { isRejection } from '../../shared/decider';
import { runDecider } from '../run.decider';
import { evolveRun } from '../run.state';
import { RunChange, RunWriter } from '../store/run-writer';
import type { EnqueueNotifier } from './enqueue-notifier';

/** Runs a claim must leave waiting: of held jobs, of held tenants (Holds.claimFilter). */
export interface HeldRuns {
  readonly heldJobs: readonly string[];
  readonly heldTenants: readonly string[];
}
const NOTHING_HELD: HeldRuns = { heldJobs: [], heldTenants: [] };

export interface ClaimedRun {
  readonly runId: string;
  /** The queue row as the claim left it. */
  readonly row: QueueRow;
  /** The run stream's revision after the claim (the expected revision of the worker's next write). */
  readonly revision: bigint;
}

/**
 * $4/$5: held jobs and tenants (their runs wait unless an admin forced them through the hold).
 * $6: the claiming worker, which must hold a live lease row: a run claimed without one would be
 * invisible to every reaper. KEY SHARE lets heartbeats through and makes the reaper (FOR UPDATE
 * SKIP LOCKED) pass this worker by until the claim committed.
 */
const CANDIDATES = `
  WITH lease AS (SELECT 1 FROM job_workers WHERE id = $6 AND stopped_at IS NULL FOR KEY SHARE)
  SELECT key, doc, revision FROM rm_job_queue
   WHERE EXISTS (SELECT 1 FROM lease) AND state IN ('pending', 'retrying') AND ready_at <= $1 AND job = ANY($2::text[])
     AND (NOT (job = ANY($4::text[]) OR coalesce(tenant, '') = ANY($5::text[])) OR doc->>'forced' = 'true')
   ORDER BY priority_rank, ready_at
   LIMIT $3
   FOR UPDATE SKIP LOCKED`;

/**
 * The claim must walk rm_job_queue_claim in order and stop after LIMIT rows. On a fresh or
 * not-yet-analyzed queue the planner guesses "1 row" and sorts every waiting run instead (4 ms at
 * 5,000 waiting, growing with the backlog), so the claim transaction rules the sort out.
 */
const CLAIM_SETUP = 'SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off';

/** Enqueue and claim: the two hot paths of the queue. */
export class JobQueue {
  constructor(
    private readonly writer: RunWriter,
    private readonly log: Logger,
    private readonly notifier: EnqueueNotifier,
  ) {}

  /** Appends new runs (each its own stream, expected `no_stream`) with their queue rows in one statement and, once it committed, wakes workers. */
  async enqueue(runs: readonly { event: RunEnqueued; metadata?: Partial<EventMetadata> }[]): Promise<{ runIds: string[] }> {
    await this.writer.appendNew(runs.map((r) => ({ runId: r.event.data.runId, expected: 'no_stream' as const, events: [r.event], metadata: r.metadata })));
    this.notifier.notify();
    return { runIds: runs.map((r) => r.event.data.runId) };
  }

  /**
   * `enqueue` inside the caller's unit of work (an operator action records its audit entry in it).
   * Only the caller's commit makes the runs visible, so the NOTIFY goes inside it (operator-paced,
   * not the hot path).
   */
  async enqueueIn(uow: UnitOfWork, runs: readonly { event: RunEnqueued; metadata?: Partial<EventMetadata> }[]): Promise<{ runIds: string[] }> {
    await this.writer.commit(
      uow,
      runs.map((r) => ({ runId: r.event.data.runId, expected: 'no_stream' as const, events: [r.event], metadata: r.metadata })),
      { notify: true, known: new Map(runs.map((r) => [r.event.data.runId, null])) },
    );
    return { runIds: runs.map((r) => r.event.data.runId) };
  }

  /**
   * Takes `key` for `runId` inside the unit, or answers the run that took it first (an idempotent
   * replay). A concurrent holder of the same key is waited for (the unique key), so exactly one
   * unit takes it; a replay's answer is always the committed original.
   */
  async takeIdempotencyKey(uow: UnitOfWork, job: string, key: string, runId: string): Promise<{ duplicateOf: string } | null> {
    const sql = sqlOf(uow);
    const ins = await sql.query(`INSERT INTO job_idempotency_keys (key, job, run_id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING run_id`, [
      `${job}:${key}`,
      job,
      runId,
    ]);
    if (ins.rowCount) return null;
    const { rows } = await sql.query<{ run_id: string }>(`SELECT run_id FROM job_idempotency_keys WHERE key = $1`, [`${job}:${key}`]);
    return { duplicateOf: rows[0].run_id };
  }

  /**
   * Takes up to `limit` ready runs of `jobs`, highest priority then oldest first. Rows locked by
   * another claimer are skipped (SKIP LOCKED); each claim is an append at the row's revision, so
   * a run can only be owned by one worker. Expired runs are closed (RunExpired) instead. Runs of
   * `held` jobs and tenants stay queued (unless forced).
   */
  async claim(workerId: string, jobs: readonly string[], limit: number, now: Date, held: HeldRuns = NOTHING_HELD): Promise<ClaimedRun[]> {
    if (limit <= 0 || !jobs.length) return [];
    try {
      return await this.writer.store.transact((uow) => this.claimIn(uow, workerId, jobs, limit, now, held, false), { sqlSetup: CLAIM_SETUP });
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict)) throw err;
      this.log.warn({ event: 'background_job.claim_conflict', workerId }, 'a claimed run changed under its lock; claiming one by one');
      return this.writer.store.transact((uow) => this.claimIn(uow, workerId, jobs, limit, now, held, true), { sqlSetup: CLAIM_SETUP });
    }
  }

  private async claimIn(
    uow: UnitOfWork,
    workerId: string,
    jobs: readonly string[],
    limit: number,
    now: Date,
    held: HeldRuns,
    oneByOne: boolean,
  ): Promise<ClaimedRun[]> {
    const c = sqlOf(uow);
    const { rows } = await c.query<{ key: string; doc: QueueRow; revision: string }>(CANDIDATES, [
      now.toISOString(),
      jobs,
      limit,
      held.heldJobs,
      held.heldTenants,
      workerId,
    ]);
    const changes: RunChange[] = [];
    for (const r of rows) {
      const d = runDecider.decide({ type: 'Claim', workerId, now }, r.doc);
      if (!isRejection(d)) changes.push({ runId: r.key, expected: BigInt(r.revision), events: d });
    }
    const known = new Map(rows.map((r) => [r.key, r.doc]));
    const recorded: RecordedEvent[] = [];
    if (!oneByOne) recorded.push(...(await this.writer.commit(uow, changes, { known })));
    else {
      for (const ch of changes) {
        await c.query('SAVEPOINT claim_one');
        try {
          recorded.push(...(await this.writer.commit(uow, [ch], { known })));
          await c.query('RELEASE SAVEPOINT claim_one');
        } catch (err) {
          if (!(err instanceof ExpectedVersionConflict)) throw err;
          await c.query('ROLLBACK TO SAVEPOINT claim_one'); // someone else changed it: skip
        }
      }
    }
    // The row each claim leaves is the one the inline queue view now stores: the worker writes
    // the run's result on it, at the claim's revision, without reading it again.
    const claims = new Map(recorded.filter((e) => e.type === 'RunClaimed').map((e) => [e.streamId, e]));
    return rows.flatMap((r) => {
      const e = claims.get(runStream(r.key));
      return e ? [{ runId: r.key, row: evolveRun(r.doc, e)!, revision: e.revision }] : [];
    });
  }
}
