import type { RunRow } from '../../projections/job-runs/run-row';
import { evolveRunRow } from '../../projections/job-runs/job-runs.projection';
import { inScope } from '../access/tenant-scope';
import type { RecordedEvent } from '../event-store/envelope';
import type { JobDefinitionSnapshot } from '../jobs/events/job-definition';
import type { RunEnqueued, RunEvent } from '../jobs/events/run.events';
import { runDecider } from '../jobs/run.decider';
import { Decider, Decision, isRejection, reject, Rejection } from '../shared/decider';

/** The failed runs a bulk retry chooses from, and which of them a later run already retries. */
export interface FailedRunsState {
  readonly runs: ReadonlyMap<string, RunRow>;
  /** Original run id → the run that retries it. */
  readonly retriedBy: ReadonlyMap<string, string>;
}

/** Which failed runs: one signature, optionally narrowed; `scope` is the caller's tenant (null: unscoped). */
export interface FailureSelection {
  readonly signature: string;
  readonly scope: string | null;
  readonly job?: string;
  readonly tenant?: string;
  /** createdAt ≥ from, < to (as GET /api/runs and the groups count them). */
  readonly from?: Date;
  readonly to?: Date;
}

export interface RetryFailures {
  readonly type: 'RetryFailures';
  readonly selection: FailureSelection;
  /** The job as defined now (null: no longer defined). */
  readonly definition: (job: string) => JobDefinitionSnapshot | null;
  /** Most runs this action may retry; more → rejected, nothing retried. */
  readonly cap: number;
  /** The number of runs the caller expects to retry (the dry run's count); null in a dry run. */
  readonly confirm: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly now: Date;
  readonly newRunId: (original: string) => string;
}

export interface BulkRetryPlan {
  readonly retry: readonly { readonly original: RunRow; readonly event: RunEnqueued }[];
  readonly notRetried: readonly { readonly runId: string; readonly job: string; readonly reason: string }[];
}

/** A run event as stored: later run events name their run by stream only. */
export type RunFactWithStream = Pick<RecordedEvent, 'streamId' | 'type' | 'data' | 'metadata' | 'recordedAt'>;

const selected = (s: FailureSelection, r: RunRow) =>
  r.state === 'failed' &&
  r.errorSignature === s.signature &&
  inScope(s.scope, r.tenant) &&
  (s.job === undefined || r.job === s.job) &&
  (s.tenant === undefined || r.tenant === s.tenant) &&
  (s.from === undefined || Date.parse(r.enqueuedAt) >= s.from.getTime()) &&
  (s.to === undefined || Date.parse(r.enqueuedAt) < s.to.getTime());

const narrowed = (s: FailureSelection) => s.job !== undefined || s.tenant !== undefined || s.from !== undefined || s.to !== undefined;

/**
 * Which failed runs of the selection are retried and why the others are not, oldest first. A run
 * is retried as POST /api/runs/:id/retry would (the run decider's Retry: same params, the job as
 * defined now); a run already retried by another run, a run of a job no longer defined or marked
 * manualRun=false, and — for a tenant-scoped caller — a run of a job shared by every tenant (its
 * params could aim it elsewhere) are reported instead. No failed run of the selection: not_found.
 */
export function planBulkRetry(cmd: RetryFailures, state: FailedRunsState): BulkRetryPlan | Rejection {
  const s = cmd.selection;
  const runs = [...state.runs.values()]
    .filter((r) => selected(s, r))
    .sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt) || a.runId.localeCompare(b.runId));
  if (runs.length === 0)
    return reject('not_found', `no failed run has signature ${s.signature}${narrowed(s) ? ' in this selection (job, tenant, from, to)' : ''}`);
  const retry: { original: RunRow; event: RunEnqueued }[] = [];
  const notRetried: { runId: string; job: string; reason: string }[] = [];
  for (const original of runs) {
    const skip = (reason: string) => notRetried.push({ runId: original.runId, job: original.job, reason });
    const by = state.retriedBy.get(original.runId);
    if (by !== undefined) {
      skip(`already retried by run ${by}`);
      continue;
    }
    const definition = cmd.definition(original.job);
    if (definition && s.scope !== null && definition.tenant !== s.scope) {
      skip(`job "${original.job}" is shared by every tenant: a tenant-scoped token cannot retry its runs`);
      continue;
    }
    const decision = runDecider.decide(
      { type: 'Retry', definition, original, runId: cmd.newRunId(original.runId), actor: cmd.actor, reason: cmd.reason, now: cmd.now },
      null,
    );
    if (isRejection(decision)) skip(decision.reason);
    else retry.push({ original, event: decision[0] as RunEnqueued });
  }
  return { retry, notRetried };
}

/**
 * Bulk retry of the failed runs of one signature: the plan, held to the caller's cap and
 * confirmation. Both are checked against what would be retried now, so a selection that grew since
 * the dry run (or was retried meanwhile) is refused rather than retried blind.
 */
export function decideBulkRetry(cmd: RetryFailures, state: FailedRunsState): BulkRetryPlan | Rejection {
  const plan = planBulkRetry(cmd, state);
  if (isRejection(plan) || cmd.confirm === null) return plan;
  const n = plan.retry.length;
  if (n > cmd.cap)
    return reject('conflict', `${n} runs would be retried, more than the cap of ${cmd.cap}: narrow the selection (job, tenant, from, to) or raise cap`, 'cap');
  if (cmd.confirm !== n)
    return reject('conflict', `${n} runs would be retried now, not ${cmd.confirm}: check the dry run (dryRun: true) again and confirm its count`, 'confirm');
  return plan;
}

export const failedRunsInitialState: FailedRunsState = { runs: new Map(), retriedBy: new Map() };

/** Folds run events into the runs and their retry links (for specs; the service loads the same state from rm_job_runs). */
export function evolveFailedRuns(state: FailedRunsState, e: RunFactWithStream): FailedRunsState {
  const runId = (e.data as { runId?: string }).runId ?? e.streamId.slice('job-'.length);
  const row = evolveRunRow(state.runs.get(runId) ?? null, e as RecordedEvent);
  const runs = new Map(state.runs);
  if (row) runs.set(runId, row);
  const retryOf = e.type === 'RunEnqueued' ? (e.data as RunEnqueued['data']).retryOf : null;
  return { runs, retriedBy: retryOf ? new Map(state.retriedBy).set(retryOf, runId) : state.retriedBy };
}

/** The decider shape for given/when/then: decide answers the retry runs' RunEnqueued events. */
export const bulkRetryDecider: Decider<FailedRunsState, RetryFailures, RunEvent | RunFactWithStream> = {
  initialState: failedRunsInitialState,
  evolve: (s, e) => evolveFailedRuns(s, e as RunFactWithStream),
  decide: (cmd, s): Decision<RunEvent> => {
    const d = decideBulkRetry(cmd, s);
    return isRejection(d) ? d : d.retry.map((r) => r.event);
  },
};
