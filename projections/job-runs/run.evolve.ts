import type { RecordedEvent } from '../../src/event-store/envelope';
import { PRIORITY_RANK, RunEvent } from '../../src/jobs/events/run.events';
import type { RunRow } from './run-row';

/** Folds one event of a run stream into the run. Unknown or out-of-place events leave it unchanged. */
export function evolveRun(row: RunRow | null, event: Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'recordedAt'>): RunRow | null {
  const e = event as unknown as RunEvent;
  const at = event.metadata?.occurredAt ?? new Date(event.recordedAt).toISOString();
  if (e.type === 'RunEnqueued') {
    const d = e.data;
    return {
      runId: d.runId, job: d.job, state: 'pending', trigger: d.trigger, actor: d.actor, reason: d.reason, params: d.params, tenant: d.tenant,
      priority: d.priority, priorityRank: PRIORITY_RANK[d.priority], attempt: d.attempt, maxAttempts: d.maxAttempts, timeoutMs: d.timeoutMs,
      cancellable: d.cancellable, backoff: d.backoff, enqueuedAt: d.enqueuedAt, readyAt: d.readyAt, expiresAt: d.expiresAt,
      scheduledFor: d.scheduledFor, retryOf: d.retryOf, workerId: null, claimedAt: null, finishedAt: null, durationMs: null,
      exitCode: null, error: null, logTail: null, cancelRequest: null, failures: 0, updatedAt: at,
    };
  }
  if (!row) return null;
  switch (e.type) {
    case 'RunClaimed':
      return { ...row, state: 'running', workerId: e.data.workerId, attempt: e.data.attempt, claimedAt: e.data.claimedAt, finishedAt: null, durationMs: null, updatedAt: at };
    case 'RunSucceeded':
      return { ...row, state: 'succeeded', finishedAt: e.data.finishedAt, durationMs: e.data.durationMs, exitCode: e.data.exitCode, error: null, logTail: e.data.logTail, updatedAt: at };
    case 'RunFailed':
      // Terminal only once RunDeadLettered follows; until then the state is whatever comes next.
      return { ...row, failures: row.failures + 1, finishedAt: e.data.finishedAt, durationMs: e.data.durationMs, exitCode: e.data.exitCode, error: e.data.error, logTail: e.data.logTail, updatedAt: at };
    case 'RunAbandoned':
      return { ...row, failures: row.failures + 1, error: `abandoned: ${e.data.reason}`, updatedAt: at };
    case 'RetryScheduled':
      return { ...row, state: 'retrying', attempt: e.data.attempt, readyAt: e.data.readyAt, workerId: null, claimedAt: null, updatedAt: at };
    case 'RunDeadLettered':
      return { ...row, state: 'failed', finishedAt: row.finishedAt ?? e.data.at, error: row.error ?? e.data.reason, updatedAt: at };
    case 'CancelRequested':
      return { ...row, state: row.state === 'running' ? 'cancelling' : row.state, cancelRequest: { actor: e.data.actor, reason: e.data.reason, at: e.data.at }, updatedAt: at };
    case 'RunCancelled':
      return { ...row, state: 'cancelled', finishedAt: e.data.at, durationMs: e.data.durationMs, logTail: e.data.logTail ?? row.logTail, error: e.data.reason, updatedAt: at };
    case 'RunExpired':
      return { ...row, state: 'expired', finishedAt: e.data.at, updatedAt: at };
    default:
      return row;
  }
}
