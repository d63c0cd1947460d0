import type { RunRow } from '../../projections/job-runs/run-row';
import type { JobDefinitionSnapshot } from './definitions/job-definition';
import { accept, Decision, reject } from './decision';
import type { RunEnqueued, Trigger } from './events/run.events';

export interface EnqueueRequest {
  readonly runId: string;
  readonly trigger: Trigger;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly params: Record<string, unknown>;
  readonly now: Date;
  readonly scheduledFor?: Date | null;
  readonly retryOf?: string | null;
}

const manualGuard = (def: JobDefinitionSnapshot, what: string) =>
  reject('conflict', `job "${def.name}" is marked manualRun=false: it is not safe to run twice, so ${what} is disabled; it runs only on its schedule (${def.schedule})`);

/** A new run of `def`. Manual runs and retries are refused for manualRun=false jobs. */
export function decideEnqueue(def: JobDefinitionSnapshot | null, req: EnqueueRequest): Decision<RunEnqueued> {
  if (!def) return reject('not_found', 'no such job');
  if (req.trigger === 'manual' && !def.manualRun) return manualGuard(def, 'run-now');
  if (req.trigger === 'retry' && !def.manualRun) return manualGuard(def, 'retry');
  const paramTenant = typeof req.params.tenant === 'string' ? req.params.tenant : null;
  if (def.tenant && paramTenant && paramTenant !== def.tenant) return reject('conflict', `job "${def.name}" is scoped to tenant ${def.tenant}; params.tenant ${paramTenant} is not allowed`);
  const now = req.now.toISOString();
  return accept<RunEnqueued>({
    type: 'RunEnqueued',
    data: {
      runId: req.runId, job: def.name, trigger: req.trigger, actor: req.actor, reason: req.reason, params: req.params,
      tenant: def.tenant ?? paramTenant, priority: def.priority, attempt: 1, maxAttempts: def.maxAttempts, timeoutMs: def.timeoutMs,
      cancellable: def.cancellable, backoff: def.backoff, enqueuedAt: now, readyAt: now,
      expiresAt: def.expiresAfterMs === null ? null : new Date(req.now.getTime() + def.expiresAfterMs).toISOString(),
      scheduledFor: req.scheduledFor ? req.scheduledFor.toISOString() : null, retryOf: req.retryOf ?? null,
    },
  });
}

/** Retry of an ended run: a new run (trigger retry) with the same or adjusted params. */
export function decideRetry(def: JobDefinitionSnapshot | null, original: Pick<RunRow, 'runId' | 'state' | 'params' | 'job'> | null, req: Omit<EnqueueRequest, 'trigger' | 'retryOf' | 'params'> & { params?: Record<string, unknown> }): Decision<RunEnqueued> {
  if (!original) return reject('not_found', 'no such run');
  if (!def) return reject('conflict', `job "${original.job}" is no longer defined; its runs cannot be retried`);
  if (!['failed', 'cancelled', 'expired'].includes(original.state)) return reject('conflict', `only failed, cancelled or expired runs can be retried; this run is ${original.state}`);
  return decideEnqueue(def, { ...req, trigger: 'retry', retryOf: original.runId, params: req.params ?? original.params });
}
