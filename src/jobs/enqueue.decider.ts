import { Decision, reject } from '../shared/decider';
import type { JobDefinitionSnapshot } from './events/job-definition';
import type { RunEnqueued, Trigger } from './events/run.events';
import type { RunState } from './run.state';

/** A new run of `definition` (null: the job is not defined). */
export interface EnqueueRun {
  readonly type: 'Enqueue';
  readonly definition: JobDefinitionSnapshot | null;
  readonly runId: string;
  readonly trigger: Trigger;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly params: Record<string, unknown>;
  readonly now: Date;
  readonly scheduledFor?: Date | null;
  readonly retryOf?: string | null;
}

/** A new run (trigger retry) of an ended run, with the same or adjusted params. */
export interface RetryRun extends Omit<EnqueueRun, 'type' | 'trigger' | 'retryOf' | 'params'> {
  readonly type: 'Retry';
  /** The run retried (null: no such run). */
  readonly original: Pick<RunState, 'runId' | 'state' | 'params' | 'job'> | null;
  readonly params?: Record<string, unknown>;
}

const manualGuard = (def: JobDefinitionSnapshot, what: string) =>
  reject(
    'conflict',
    `job "${def.name}" is marked manualRun=false: it is not safe to run twice, so ${what} is disabled; it runs only on its schedule (${def.schedule})`,
  );

/**
 * The run decider's rules for a run that does not exist yet (run.decider.ts): manual runs and
 * retries are refused for manualRun=false jobs.
 */
export function decideEnqueue(c: EnqueueRun): Decision<RunEnqueued> {
  const def = c.definition;
  if (!def) return reject('not_found', 'no such job');
  if (c.trigger === 'manual' && !def.manualRun) return manualGuard(def, 'run-now');
  if (c.trigger === 'retry' && !def.manualRun) return manualGuard(def, 'retry');
  const paramTenant = typeof c.params.tenant === 'string' ? c.params.tenant : null;
  if (def.tenant && paramTenant && paramTenant !== def.tenant)
    return reject('conflict', `job "${def.name}" is scoped to tenant ${def.tenant}; params.tenant ${paramTenant} is not allowed`);
  const now = c.now.toISOString();
  return [
    {
      type: 'RunEnqueued',
      data: {
        runId: c.runId,
        job: def.name,
        trigger: c.trigger,
        actor: c.actor,
        reason: c.reason,
        params: c.params,
        tenant: def.tenant ?? paramTenant,
        priority: def.priority,
        attempt: 1,
        maxAttempts: def.maxAttempts,
        timeoutMs: def.timeoutMs,
        ...(def.stuckAfterMs !== undefined ? { stuckAfterMs: def.stuckAfterMs } : {}),
        cancellable: def.cancellable,
        backoff: def.backoff,
        enqueuedAt: now,
        readyAt: now,
        expiresAt: def.expiresAfterMs === null ? null : new Date(c.now.getTime() + def.expiresAfterMs).toISOString(),
        scheduledFor: c.scheduledFor ? c.scheduledFor.toISOString() : null,
        retryOf: c.retryOf ?? null,
      },
    },
  ];
}

export function decideRetry(c: RetryRun): Decision<RunEnqueued> {
  const { type: _retry, original, definition, params, ...rest } = c;
  if (!original) return reject('not_found', 'no such run');
  if (!definition) return reject('conflict', `job "${original.job}" is no longer defined; its runs cannot be retried`);
  if (!['failed', 'cancelled', 'expired'].includes(original.state))
    return reject('conflict', `only failed, cancelled or expired runs can be retried; this run is ${original.state}`);
  return decideEnqueue({ ...rest, type: 'Enqueue', definition, trigger: 'retry', retryOf: original.runId, params: params ?? original.params });
}
