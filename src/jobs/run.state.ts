import type { EventMetadata } from '../event-store/envelope';
import { Backoff, Priority, PRIORITY_RANK, RunEvent, Trigger } from './events/run.events';

/**
 * pending: waiting for a worker · retrying: waiting for its next attempt · running: claimed ·
 * cancelling: running, cancel requested · succeeded · failed (dead-lettered) · cancelled · expired.
 */
export type RunStatus = 'pending' | 'retrying' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled' | 'expired';
export const WAITING: readonly RunStatus[] = ['pending', 'retrying'];
export const ACTIVE: readonly RunStatus[] = ['running', 'cancelling'];
export const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

/**
 * The write model of one run, folded from its `job-<runId>` stream: what the run rules decide on.
 * The live queue (`rm_job_queue`, inline) stores exactly this per run, so a claim or a completion
 * decides on the locked row without replaying the stream; the history read model adds the log tail.
 */
export interface RunState {
  readonly runId: string;
  readonly job: string;
  readonly state: RunStatus;
  readonly trigger: Trigger;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly params: Record<string, unknown>;
  readonly tenant: string | null;
  readonly priority: Priority;
  readonly priorityRank: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly stuckAfterMs?: number;
  readonly cancellable: boolean;
  readonly backoff: Backoff;
  readonly enqueuedAt: string;
  readonly readyAt: string;
  readonly expiresAt: string | null;
  readonly scheduledFor: string | null;
  readonly retryOf: string | null;
  /** Queued by an admin through a hold (`force: true`): claimed while its job or tenant is paused. */
  readonly forced?: true;
  readonly workerId: string | null;
  readonly claimedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly cancelRequest: { readonly actor: string; readonly reason: string; readonly at: string } | null;
  /** Attempts that ended without success (failed or abandoned). */
  readonly failures: number;
  readonly updatedAt: string;
}

/** A run event, stored (with its envelope) or just decided (without one, `updatedAt` stays as it was). */
export interface RunFact {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Partial<EventMetadata>;
  readonly recordedAt?: Date | string;
}

const occurredAt = (e: RunFact): string | null => e.metadata?.occurredAt ?? (e.recordedAt === undefined ? null : new Date(e.recordedAt).toISOString());

/** Folds one event of a run stream into the run. Unknown or out-of-place events leave it unchanged. */
export function evolveRun(row: RunState | null, event: RunFact): RunState | null {
  const e = event as RunEvent;
  if (e.type === 'RunEnqueued') {
    const d = e.data;
    return {
      runId: d.runId,
      job: d.job,
      state: 'pending',
      trigger: d.trigger,
      actor: d.actor,
      reason: d.reason,
      params: d.params,
      tenant: d.tenant,
      priority: d.priority,
      priorityRank: PRIORITY_RANK[d.priority],
      attempt: d.attempt,
      maxAttempts: d.maxAttempts,
      timeoutMs: d.timeoutMs,
      ...(d.stuckAfterMs !== undefined ? { stuckAfterMs: d.stuckAfterMs } : {}),
      cancellable: d.cancellable,
      backoff: d.backoff,
      enqueuedAt: d.enqueuedAt,
      readyAt: d.readyAt,
      expiresAt: d.expiresAt,
      scheduledFor: d.scheduledFor,
      retryOf: d.retryOf,
      ...(d.forced ? { forced: true as const } : {}),
      workerId: null,
      claimedAt: null,
      finishedAt: null,
      durationMs: null,
      exitCode: null,
      error: null,
      cancelRequest: null,
      failures: 0,
      updatedAt: occurredAt(event) ?? d.enqueuedAt,
    };
  }
  if (!row) return null;
  const at = occurredAt(event) ?? row.updatedAt;
  switch (e.type) {
    case 'RunClaimed':
      return {
        ...row,
        state: 'running',
        workerId: e.data.workerId,
        attempt: e.data.attempt,
        claimedAt: e.data.claimedAt,
        finishedAt: null,
        durationMs: null,
        updatedAt: at,
      };
    case 'RunSucceeded':
      return {
        ...row,
        state: 'succeeded',
        finishedAt: e.data.finishedAt,
        durationMs: e.data.durationMs,
        exitCode: e.data.exitCode,
        error: null,
        updatedAt: at,
      };
    case 'RunFailed':
      // Terminal only once RunDeadLettered follows; until then the state is whatever comes next.
      return {
        ...row,
        failures: row.failures + 1,
        finishedAt: e.data.finishedAt,
        durationMs: e.data.durationMs,
        exitCode: e.data.exitCode,
        error: e.data.error,
        updatedAt: at,
      };
    case 'RunAbandoned':
      return { ...row, failures: row.failures + 1, error: `abandoned: ${e.data.reason}`, updatedAt: at };
    case 'RetryScheduled':
      return { ...row, state: 'retrying', attempt: e.data.attempt, readyAt: e.data.readyAt, workerId: null, claimedAt: null, updatedAt: at };
    case 'RunDeadLettered':
      return { ...row, state: 'failed', finishedAt: row.finishedAt ?? e.data.at, error: row.error ?? e.data.reason, updatedAt: at };
    case 'CancelRequested':
      return {
        ...row,
        state: row.state === 'running' ? 'cancelling' : row.state,
        cancelRequest: { actor: e.data.actor, reason: e.data.reason, at: e.data.at },
        updatedAt: at,
      };
    case 'RunCancelled':
      return { ...row, state: 'cancelled', finishedAt: e.data.at, durationMs: e.data.durationMs, error: e.data.reason, updatedAt: at };
    case 'RunExpired':
      return { ...row, state: 'expired', finishedAt: e.data.at, updatedAt: at };
    default:
      return row;
  }
}
