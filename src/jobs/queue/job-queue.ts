import type { Logger } from 'pino';
import type { QueueRow } from '../../../projections/job-queue/job-queue.projection';
import type { EventMetadata } from '../../event-store/envelope';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import type { RunEnqueued } from '../events/run.events';
import { isRejection } from '../../shared/decider';
import { runDecider } from '../run.decider';
import { RunChange, RunWriter } from '../store/run-writer';

export interface ClaimedRun {
  readonly runId: string;
  readonly row: QueueRow;
}

const CANDIDATES = `
  SELECT key, doc, revision FROM rm_job_queue
   WHERE state IN ('pending', 'retrying') AND ready_at <= $1 AND job = ANY($2::text[])
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
  ) {}

  /** Appends new runs (each its own stream, expected `no_stream`) in one unit and wakes workers. */
  async enqueue(runs: readonly { event: RunEnqueued; metadata?: Partial<EventMetadata> }[]): Promise<{ runIds: string[] }> {
    return this.writer.store.transact((uow) => this.enqueueIn(uow, runs));
  }

  /** `enqueue` inside the caller's unit of work (an operator action records its audit entry in it). */
  async enqueueIn(uow: UnitOfWork, runs: readonly { event: RunEnqueued; metadata?: Partial<EventMetadata> }[]): Promise<{ runIds: string[] }> {
    await this.writer.commit(uow, runs.map((r) => ({ runId: r.event.data.runId, expected: 'no_stream' as const, events: [r.event], metadata: r.metadata })), {
      notify: true,
      known: new Map(runs.map((r) => [r.event.data.runId, null])),
    });
    return { runIds: runs.map((r) => r.event.data.runId) };
  }

  /**
   * Takes `key` for `runId` inside the unit, or answers the run that took it first (an idempotent
   * replay). A concurrent holder of the same key is waited for (the unique key), so exactly one
   * unit takes it; a replay's answer is always the committed original.
   */
  async takeIdempotencyKey(uow: UnitOfWork, job: string, key: string, runId: string): Promise<{ duplicateOf: string } | null> {
    const sql = sqlOf(uow);
    const ins = await sql.query(`INSERT INTO job_idempotency_keys (key, job, run_id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING run_id`, [`${job}:${key}`, job, runId]);
    if (ins.rowCount) return null;
    const { rows } = await sql.query<{ run_id: string }>(`SELECT run_id FROM job_idempotency_keys WHERE key = $1`, [`${job}:${key}`]);
    return { duplicateOf: rows[0].run_id };
  }

  /**
   * Takes up to `limit` ready runs of `jobs`, highest priority then oldest first. Rows locked by
   * another claimer are skipped (SKIP LOCKED); each claim is an append at the row's revision, so
   * a run can only be owned by one worker. Expired runs are closed (RunExpired) instead.
   */
  async claim(workerId: string, jobs: readonly string[], limit: number, now: Date): Promise<ClaimedRun[]> {
    if (limit <= 0 || !jobs.length) return [];
    try {
      return await this.writer.store.transact((uow) => this.claimIn(uow, workerId, jobs, limit, now, false), { sqlSetup: CLAIM_SETUP });
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict)) throw err;
      this.log.warn({ event: 'background_job.claim_conflict', workerId }, 'a claimed run changed under its lock; claiming one by one');
      return this.writer.store.transact((uow) => this.claimIn(uow, workerId, jobs, limit, now, true), { sqlSetup: CLAIM_SETUP });
    }
  }

  private async claimIn(uow: UnitOfWork, workerId: string, jobs: readonly string[], limit: number, now: Date, oneByOne: boolean): Promise<ClaimedRun[]> {
    const c = sqlOf(uow);
    const { rows } = await c.query<{ key: string; doc: QueueRow; revision: string }>(CANDIDATES, [now.toISOString(), jobs, limit]);
    const changes: RunChange[] = [];
    for (const r of rows) {
      const d = runDecider.decide({ type: 'Claim', workerId, now }, r.doc);
      if (!isRejection(d)) changes.push({ runId: r.key, expected: BigInt(r.revision), events: d });
    }
    const known = new Map(rows.map((r) => [r.key, r.doc]));
    const claimedIds = new Set<string>();
    if (!oneByOne) {
      await this.writer.commit(uow, changes, { known });
      for (const ch of changes) if (ch.events[0].type === 'RunClaimed') claimedIds.add(ch.runId);
    } else {
      for (const ch of changes) {
        await c.query('SAVEPOINT claim_one');
        try {
          await this.writer.commit(uow, [ch], { known });
          await c.query('RELEASE SAVEPOINT claim_one');
          if (ch.events[0].type === 'RunClaimed') claimedIds.add(ch.runId);
        } catch (err) {
          if (!(err instanceof ExpectedVersionConflict)) throw err;
          await c.query('ROLLBACK TO SAVEPOINT claim_one'); // someone else changed it: skip
        }
      }
    }
    return rows
      .filter((r) => claimedIds.has(r.key))
      .map((r) => ({ runId: r.key, row: { ...r.doc, state: 'running' as const, workerId, claimedAt: now.toISOString() } }));
  }
}
