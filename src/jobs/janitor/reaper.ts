import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { EventStore } from '../../event-store/event-store.port';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import type { Clock } from '../../shared/clock';
import { WorkerReaped, workerStream } from '../events/worker.events';
import { isRejection } from '../../shared/decider';
import { runDecider } from '../run.decider';
import { RunChange, RunWriter } from '../store/run-writer';
import type { QueueRow } from '../../../projections/job-queue/job-queue.projection';

/**
 * Workers whose lease has not been renewed for `reapAfterMs` are gone (killed, host lost): their
 * runs are abandoned and retried while attempts remain, and WorkerReaped records it. One unit of
 * work per worker (or all in the caller's unit), with the lease row locked SKIP LOCKED so two
 * reapers never both act.
 */
export class Reaper {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly writer: RunWriter,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async reap(reapAfterMs: number, reapedBy: string, unit?: UnitOfWork): Promise<{ workers: string[]; runs: string[] }> {
    const out = { workers: [] as string[], runs: [] as string[] };
    // Cleanly stopped workers just leave the list once they are old enough.
    await (unit ? sqlOf(unit) : this.pool).query(
      `DELETE FROM job_workers WHERE stopped_at IS NOT NULL AND last_seen < now() - make_interval(secs => $1::float8 / 1000)`,
      [reapAfterMs],
    );
    const within = <T>(work: (uow: UnitOfWork) => Promise<T>) => (unit ? work(unit) : this.store.transact(work));
    for (;;) {
      const reaped = await within(async (uow) => {
        const c = sqlOf(uow);
        const { rows } = await c.query<{ id: string; last_seen: Date }>(
          `SELECT id, last_seen FROM job_workers WHERE stopped_at IS NULL AND last_seen < now() - make_interval(secs => $1::float8 / 1000) LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [reapAfterMs],
        );
        if (!rows.length) return null;
        const w = rows[0];
        const now = this.clock.now();
        const owned = await c.query<{ key: string }>(`SELECT key FROM rm_job_queue WHERE worker_id = $1 AND state IN ('running', 'cancelling')`, [w.id]);
        const locked = await this.writer.lock(
          uow,
          owned.rows.map((r) => r.key),
        );
        const changes: RunChange[] = [];
        for (const [runId, l] of locked) {
          const d = runDecider.decide(
            { type: 'Abandon', workerId: w.id, reason: `worker ${w.id} lost (last seen ${w.last_seen.toISOString()})`, now, countsAsAttempt: true },
            l.row as QueueRow,
          );
          if (!isRejection(d)) changes.push({ runId, expected: l.revision, events: d, metadata: { actor: `reaper:${reapedBy}` } });
        }
        await this.writer.commit(uow, changes, {
          notify: true,
          known: new Map([...locked.values()].filter((l) => l.inQueue).map((l) => [l.runId, l.row])),
          notInQueue: new Set([...locked.values()].filter((l) => !l.inQueue).map((l) => l.runId)),
        });
        const e: WorkerReaped = {
          type: 'WorkerReaped',
          data: { workerId: w.id, at: now.toISOString(), lastSeen: w.last_seen.toISOString(), reapedBy, abandonedRuns: changes.map((ch) => ch.runId) },
        };
        await uow.append(workerStream(w.id), [{ ...e, metadata: { actor: `reaper:${reapedBy}` } }], 'any');
        await c.query(`DELETE FROM job_workers WHERE id = $1`, [w.id]);
        return { id: w.id, runs: changes.map((ch) => ch.runId) };
      });
      if (!reaped) return out;
      out.workers.push(reaped.id);
      out.runs.push(...reaped.runs);
      this.log.warn(
        { event: 'worker.reaped', workerId: reaped.id, abandonedRuns: reaped.runs, reapedBy },
        `reaped worker ${reaped.id}; ${reaped.runs.length} run(s) abandoned`,
      );
    }
  }
}
