import type { RunRow } from '../../../projections/job-runs/run-row';
import { rfc3339 } from '../../shared/clock';

/** A run as the API shows it (the job drill-in and the system status's recent history). */
export function runView(r: Omit<RunRow, 'logTail'> & { logTail?: string | null }, opts: { logTail?: boolean } = {}) {
  return {
    runId: r.runId,
    job: r.job,
    state: r.state,
    trigger: r.trigger,
    actor: r.trigger === 'schedule' ? null : r.actor,
    reason: r.reason,
    tenant: r.tenant,
    params: r.params,
    priority: r.priority,
    attempt: r.attempt,
    maxAttempts: r.maxAttempts,
    retries: Math.max(0, r.attempt - 1),
    createdAt: rfc3339(r.enqueuedAt),
    readyAt: rfc3339(r.readyAt),
    startedAt: rfc3339(r.claimedAt),
    completedAt: rfc3339(r.finishedAt),
    durationMs: r.durationMs,
    exitCode: r.exitCode,
    error: r.error,
    workerId: r.workerId,
    scheduledFor: rfc3339(r.scheduledFor),
    retryOf: r.retryOf,
    expiresAt: rfc3339(r.expiresAt),
    cancelRequest: r.cancelRequest ? { ...r.cancelRequest, at: rfc3339(r.cancelRequest.at) } : null,
    /** Of the latest failure (GET /api/failures/groups); null when it did not fail, or in a list before the history caught up. */
    errorSignature: r.errorSignature ?? null,
    ...(opts.logTail ? { logTail: r.logTail ?? null } : {}),
  };
}
