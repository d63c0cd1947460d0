import type { Logger } from 'pino';
import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import type { EventMetadata } from '../../event-store/envelope';
import type { EventStore } from '../../event-store/event-store.port';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import { eventsOrThrow } from '../../shared/decider';
import { JobDefinitionEvent, jobDefStream } from '../events/job-definition.events';
import type { JobDefinition } from '../events/job-definition';
import { JobDefinitionCommand, jobDefinitionDecider, jobDefinitionStateOf } from './job-definition.decider';

/** Pure: the events that bring the stored definitions in line with the declared ones, one job (aggregate) at a time. */
export function decideReconcile(declared: readonly JobDefinition[], stored: readonly JobDefinitionRow[]): Map<string, JobDefinitionEvent> {
  const out = new Map<string, JobDefinitionEvent>();
  const storedBy = new Map(stored.map((r) => [r.name, r]));
  const decide = (name: string, cmd: JobDefinitionCommand) => {
    for (const e of eventsOrThrow(jobDefinitionDecider.decide(cmd, jobDefinitionStateOf(storedBy.get(name))))) out.set(name, e);
  };
  for (const d of declared) decide(d.name, { type: 'Declare', definition: d });
  const names = new Set(declared.map((d) => d.name));
  for (const r of stored) if (!names.has(r.name)) decide(r.name, { type: 'Undeclare', name: r.name });
  return out;
}

/** The stored definitions as `uow` sees them, and the changes that bring them in line with `declared`. */
export async function planDefinitions(uow: UnitOfWork, declared: readonly JobDefinition[]): Promise<DefinitionsPlan> {
  const { rows } = await sqlOf(uow).query<{ key: string; doc: JobDefinitionRow; revision: string }>('SELECT key, doc, revision FROM rm_job_definitions');
  return {
    revisions: new Map(rows.map((r) => [r.key, BigInt(r.revision)])),
    changes: [
      ...decideReconcile(
        declared,
        rows.map((r) => r.doc),
      ),
    ],
  };
}

export interface DefinitionsPlan {
  readonly revisions: ReadonlyMap<string, bigint>;
  readonly changes: readonly [string, JobDefinitionEvent][];
}

export const changeList = (plan: DefinitionsPlan) => plan.changes.map(([job, e]) => ({ job, change: e.type }));

/** Appends the planned JobDefined/JobChanged/JobRemoved in `uow` (the store folds them into rm_job_definitions: inline, see createJobsRuntime). */
export async function appendDefinitions(uow: UnitOfWork, plan: DefinitionsPlan, metadata: Partial<EventMetadata>, log: Logger): Promise<number> {
  for (const [name, event] of plan.changes) await uow.append(jobDefStream(name), [{ ...event, metadata }], plan.revisions.get(name) ?? 'no_stream');
  for (const [name, event] of plan.changes) {
    log.info(
      {
        event: `background_job.definition.${event.type === 'JobDefined' ? 'defined' : event.type === 'JobChanged' ? 'changed' : 'removed'}`,
        job: name,
        ...(event.type === 'JobChanged' ? { changed: event.data.changed } : {}),
      },
      `job ${name}: ${event.type}`,
    );
  }
  return plan.changes.length;
}

/**
 * Appends JobDefined/JobChanged/JobRemoved at start, all in one unit, without an audit entry (the
 * service audits its reconcile as `config.reconcile`: JobsLifecycle). A concurrent process doing
 * the same wins; this one then re-plans and finds nothing left to do.
 */
export async function reconcileDefinitions(store: EventStore, declared: readonly JobDefinition[], log: Logger): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.transact(async (uow) =>
        appendDefinitions(uow, await planDefinitions(uow, declared), { actor: 'system', correlationId: 'startup-reconcile' }, log),
      );
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict) || attempt >= 3) throw err;
    }
  }
}
