import type { Hold } from '../pausing/holds';
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
  /** What holds the run now (its job's or tenant's pause), if anything: a manual run or retry is refused unless forced. */
  readonly hold?: Hold | null;
  /** The caller asks to run through the hold (`force: true`); only an admin may. */
  readonly force?: boolean;
  readonly actorIsAdmin?: boolean;
}

/** A new run (trigger retry) of an ended run, with the same or adjusted params. */
export interface RetryRun extends Omit<EnqueueRun, 'type' | 'trigger' | 'retryOf' | 'params'> {
  readonly type: 'Retry';
  /** The run retried (null: no such run). */
  readonly original: Pick<RunState, 'runId' | 'state' | 'params' | 'job'> | null;
  readonly params?: Record<string, unknown>;
}

const holdText = (h: Hold) =>
  `${h.scope === 'job' ? 'paused' : h.scope === 'tenant-jobs' ? `held by the pause of tenant ${h.subject}'s jobs` : `held (${h.source} of ${h.subject})`} by ${h.by} since ${h.since}${h.until ? ` until ${h.until}` : ''}: "${h.reason}"`;

const holdGuard = (def: JobDefinitionSnapshot, h: Hold, c: EnqueueRun) =>
  reject(
    'conflict',
    `job "${def.name}" is ${holdText(h)}; resume it first, or an admin may run it anyway with force: true${c.force && !c.actorIsAdmin ? ' (force needs the admin role)' : ''}`,
  );

const manualGuard = (def: JobDefinitionSnapshot, what: string) =>
  reject(
    'conflict',
    `job "${def.name}" is marked manualRun=false: it is not safe to run twice, so ${what} is disabled; it runs only on its schedule (${def.schedule})`,
  );

/**
 * The run decider's rules for a run that does not exist yet (run.decider.ts): manual runs and
 * retries are refused for manualRun=false jobs, and while a hold (a pause of the job or its
 * tenant's jobs) keeps the run from starting, unless an admin forces it (the run is then marked
 * `forced` and workers claim it through the hold).
 */
export function decideEnqueue(c: EnqueueRun): Decision<RunEnqueued> {
  const def = c.definition;
  if (!def) return reject('not_found', 'no such job');
  if (c.trigger === 'manual' && !def.manualRun) return manualGuard(def, 'run-now');
  if (c.trigger === 'retry' && !def.manualRun) return manualGuard(def, 'retry');
  const forced = c.trigger !== 'schedule' && c.hold ? c.force === true && c.actorIsAdmin === true : false;
  if (c.trigger !== 'schedule' && c.hold && !forced) return holdGuard(def, c.hold, c);
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
        ...(forced ? { forced: true as const } : {}),
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
