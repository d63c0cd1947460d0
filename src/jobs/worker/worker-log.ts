import type { Logger } from 'pino';
import { Decision, isRejection } from '../../shared/decider';
import type { RunEvent } from '../events/run.events';
import type { ClaimedRun } from '../queue/job-queue';
import type { PendingWrite } from './pending-write';

/** How a written result ended, for the outcome hook (metrics); null for a graceful release, which is not a result. */
export function outcomeOf(events: readonly RunEvent[]): { outcome: 'succeeded' | 'failed' | 'cancelled' | 'retried'; durationMs: number | null } | null {
  const types = new Set(events.map((e) => e.type));
  const outcome = types.has('RunSucceeded')
    ? 'succeeded'
    : types.has('RunDeadLettered')
      ? 'failed'
      : types.has('RunCancelled')
        ? 'cancelled'
        : types.has('RetryScheduled') && types.has('RunFailed')
          ? 'retried'
          : null;
  if (!outcome) return null;
  const result = events.find((e) => e.type === 'RunSucceeded' || e.type === 'RunFailed');
  const durationMs = result && (result.type === 'RunSucceeded' || result.type === 'RunFailed') ? result.data.durationMs : null;
  const cancelled = events.find((e) => e.type === 'RunCancelled')?.data as { durationMs?: number | null } | undefined;
  return { outcome, durationMs: durationMs ?? cancelled?.durationMs ?? null };
}

/** The worker's log lines: one per claim, one per written group of results, one per notable run result. */
export class WorkerLog {
  constructor(
    private readonly log: Logger,
    private readonly workerId: string,
  ) {}

  /** One line per claim transaction that took work: did the worker claim, and what. */
  claimed(claimed: readonly ClaimedRun[], wanted: number): void {
    const jobs: Record<string, number> = {};
    for (const c of claimed) jobs[c.row.job] = (jobs[c.row.job] ?? 0) + 1;
    this.log.info(
      {
        event: 'background_job_batch.claimed',
        workerId: this.workerId,
        count: claimed.length,
        wanted,
        jobs,
        runs: claimed.map((c) => ({ runId: c.runId, job: c.row.job, attempt: c.row.attempt })),
      },
      `claimed ${claimed.length} run(s)`,
    );
  }

  /** One line per written batch of results: how each run ended, and how long the write took. */
  finished(decisions: Map<string, Decision<RunEvent>>, writeMs: number): void {
    const counts = { succeeded: 0, failed: 0, retrying: 0, deadLettered: 0, cancelled: 0, released: 0, discarded: 0 };
    for (const d of decisions.values()) {
      if (isRejection(d)) {
        counts.discarded++;
        continue;
      }
      const types = new Set(d.map((e) => e.type));
      if (types.has('RunSucceeded')) counts.succeeded++;
      else if (types.has('RunCancelled')) counts.cancelled++;
      else if (types.has('RunAbandoned')) counts.released++;
      else if (types.has('RunDeadLettered')) counts.deadLettered++;
      else if (types.has('RetryScheduled')) counts.retrying++;
      if (types.has('RunFailed')) counts.failed++;
    }
    this.log.info(
      { event: 'background_job_batch.finished', workerId: this.workerId, count: decisions.size, ...counts, writeMs },
      `recorded ${decisions.size} run result(s)`,
    );
  }

  /** Each run's written decision; `onResult` sees the accepted results (not the give-backs). */
  decisions(
    decisions: Map<string, Decision<RunEvent>>,
    writes: ReadonlyMap<string, PendingWrite>,
    onResult: (job: string, events: readonly RunEvent[]) => void,
  ): void {
    for (const [runId, d] of decisions) {
      const w = writes.get(runId);
      if (w?.kind === 'return') {
        // Refused: the reaper (or a cancel) got there first; the run never started here.
        if (isRejection(d))
          this.log.info(
            { event: 'worker.return_refused', runId, workerId: this.workerId, reason: d.reason },
            `held run ${runId} was no longer ours: ${d.reason}`,
          );
        continue;
      }
      if (isRejection(d)) {
        this.log.warn(
          { event: 'background_job.result_discarded', runId, workerId: this.workerId, reason: d.reason },
          `result of ${runId} discarded: ${d.reason}`,
        );
        continue;
      }
      onResult(w?.run.row.job ?? 'unknown', d);
      for (const e of d) {
        if (e.type === 'RetryScheduled')
          this.log.warn({ event: 'background_job.retrying', runId, attempt: e.data.attempt, readyAt: e.data.readyAt }, `run ${runId} will retry`);
        if (e.type === 'RunDeadLettered')
          this.log.error({ event: 'background_job.dead_letter', runId, attempts: e.data.attempts, reason: e.data.reason }, `run ${runId} dead-lettered`);
        if (e.type === 'RunFailed')
          this.log.warn(
            {
              event: 'background_job.failed',
              runId,
              error: e.data.error,
              ...(e.data.errorKind ? { errorKind: e.data.errorKind } : {}),
              exitCode: e.data.exitCode,
              durationMs: e.data.durationMs,
            },
            `run ${runId} failed`,
          );
      }
    }
  }
}
