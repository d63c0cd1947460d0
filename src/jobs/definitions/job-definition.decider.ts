import { isDeepStrictEqual } from 'node:util';
import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { Decider } from '../../shared/decider';
import type { JobDefinitionEvent } from '../events/job-definition.events';
import type { JobDefinition, JobDefinitionSnapshot } from '../events/job-definition';

/** One job's definition as its `jobdef-<name>` stream says: what reconciling needs to know. */
export type JobDefinitionState =
  { readonly status: 'none' } | { readonly status: 'defined' | 'removed'; readonly definition: JobDefinitionSnapshot; readonly source: 'config' | 'code' };

export type JobDefinitionCommand =
  /** The job as the config file and the code declare it now. */
  | { readonly type: 'Declare'; readonly definition: JobDefinition }
  /** The job is declared no more. */
  | { readonly type: 'Undeclare'; readonly name: string };

export const initialJobDefinitionState: JobDefinitionState = { status: 'none' };

const snapshot = ({ source: _s, ...d }: JobDefinition): JobDefinitionSnapshot => d;
/** Equal as stored: jsonb reorders object keys, so text comparison would see every nested object changed. */
const same = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
const tenantTag = (tenant: string | null) => (tenant ? { tenant } : {});

export function evolveJobDefinition(state: JobDefinitionState, e: JobDefinitionEvent): JobDefinitionState {
  switch (e.type) {
    case 'JobDefined':
    case 'JobChanged':
      return { status: 'defined', definition: e.data.definition, source: e.data.source };
    case 'JobRemoved':
      return state.status === 'none' ? state : { ...state, status: 'removed' };
    default:
      return state; // TickMissed: a fact about the schedule, not the definition
  }
}

/**
 * The stored row (`rm_job_definitions`, inline, read in the reconciling unit with its revision)
 * as this aggregate's state: reconciling every job at start reads one table instead of every stream.
 */
export function jobDefinitionStateOf(row: JobDefinitionRow | undefined): JobDefinitionState {
  return row ? { status: row.removedAt ? 'removed' : 'defined', definition: row.definition, source: row.source } : initialJobDefinitionState;
}

/** Brings one job's stored definition in line with the declared one: nothing when they are the same. */
export const jobDefinitionDecider: Decider<JobDefinitionState, JobDefinitionCommand, JobDefinitionEvent> = {
  initialState: initialJobDefinitionState,
  evolve: evolveJobDefinition,
  decide(cmd, state) {
    if (cmd.type === 'Undeclare')
      return state.status === 'defined' ? [{ type: 'JobRemoved', data: { name: cmd.name, ...tenantTag(state.definition.tenant) } }] : [];
    const d = cmd.definition;
    const snap = snapshot(d);
    if (state.status !== 'defined') return [{ type: 'JobDefined', data: { name: d.name, definition: snap, source: d.source, ...tenantTag(snap.tenant) } }];
    if (same(state.definition, snap) && state.source === d.source) return [];
    const changed = (Object.keys(snap) as (keyof JobDefinitionSnapshot)[]).filter((k) => !same(snap[k], state.definition[k]));
    return [{ type: 'JobChanged', data: { name: d.name, definition: snap, source: d.source, changed, ...tenantTag(snap.tenant) } }];
  },
};
