import { Decider, Decision, reject } from '../shared/decider';
import { effectiveValue, valueProblem } from './flag-value';
import { FlagEvent, FlagType, FlagValue } from './flag.events';

/** The write model of one flag stream: what the commands need to decide. */
export type FlagState =
  | { readonly status: 'none' }
  | {
      readonly status: 'defined';
      readonly type: FlagType;
      readonly description: string;
      readonly defaultValue: FlagValue;
      readonly current: { readonly value: FlagValue; readonly expiresAt: string | null } | null;
    };

export const initialFlagState: FlagState = { status: 'none' };

interface Acting {
  readonly key: string;
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
}
export interface DefineFlag extends Acting {
  readonly kind: 'define';
  readonly description: string;
  readonly type: FlagType;
  readonly defaultValue: unknown;
}
export interface RedefineFlag extends Acting {
  readonly kind: 'redefine';
  readonly description?: string;
  readonly defaultValue?: unknown;
}
export interface SetFlagValue extends Acting {
  readonly kind: 'set';
  readonly value: unknown;
  readonly expiresAt: string | null;
}
export interface ClearFlagValue extends Acting {
  readonly kind: 'clear';
}
/** From the expiry loop: record that the temporary value has run out. */
export interface ExpireFlagValue {
  readonly kind: 'expire';
  readonly key: string;
  readonly now: Date;
}
export type FlagCommand = DefineFlag | RedefineFlag | SetFlagValue | ClearFlagValue | ExpireFlagValue;

/** A temporary value lasts at most this long: longer is a permanent change and should say so. */
export const MAX_FLAG_EXPIRY_MS = 90 * 24 * 3600 * 1000;

export function evolveFlag(state: FlagState, e: FlagEvent): FlagState {
  switch (e.type) {
    case 'FlagDefined':
      return { status: 'defined', type: e.data.type, description: e.data.description, defaultValue: e.data.defaultValue, current: null };
    case 'FlagRedefined':
      return state.status === 'defined' ? { ...state, description: e.data.description, defaultValue: e.data.defaultValue } : state;
    case 'FlagValueSet':
      return state.status === 'defined' ? { ...state, current: { value: e.data.value, expiresAt: e.data.expiresAt } } : state;
    case 'FlagValueCleared':
    case 'FlagValueExpired':
      return state.status === 'defined' ? { ...state, current: null } : state;
  }
}

const notFound = (key: string) => reject('not_found', `no flag "${key}"; GET /api/flags lists them`);

function decide(cmd: FlagCommand, state: FlagState): Decision<FlagEvent> {
  const at = cmd.now.toISOString();
  if (cmd.kind === 'define') {
    if (state.status !== 'none') return reject('conflict', `flag "${cmd.key}" exists already; PATCH /api/flags/${cmd.key} changes its description or default`);
    const problem = valueProblem(cmd.type, cmd.defaultValue);
    if (problem) return reject('invalid', problem, 'defaultValue');
    return [
      {
        type: 'FlagDefined',
        data: {
          key: cmd.key,
          description: cmd.description,
          type: cmd.type,
          defaultValue: cmd.defaultValue as FlagValue,
          reason: cmd.reason,
          definedBy: cmd.actor,
          definedAt: at,
        },
      },
    ];
  }
  if (state.status === 'none') return notFound(cmd.key);
  switch (cmd.kind) {
    case 'redefine': {
      if (cmd.description === undefined && cmd.defaultValue === undefined)
        return reject('invalid', 'give description or defaultValue (or both)', 'description');
      if (cmd.defaultValue !== undefined) {
        const problem = valueProblem(state.type, cmd.defaultValue);
        if (problem) return reject('invalid', problem, 'defaultValue');
      }
      return [
        {
          type: 'FlagRedefined',
          data: {
            key: cmd.key,
            description: cmd.description ?? state.description,
            defaultValue: (cmd.defaultValue ?? state.defaultValue) as FlagValue,
            reason: cmd.reason,
            redefinedBy: cmd.actor,
            redefinedAt: at,
          },
        },
      ];
    }
    case 'set': {
      const problem = valueProblem(state.type, cmd.value);
      if (problem) return reject('invalid', problem, 'value');
      let expiresAt: string | null = null;
      if (cmd.expiresAt !== null) {
        const ms = Date.parse(cmd.expiresAt);
        if (ms <= cmd.now.getTime()) return reject('invalid', 'must be in the future', 'expiresAt');
        if (ms - cmd.now.getTime() > MAX_FLAG_EXPIRY_MS)
          return reject('invalid', 'must be at most 90 days ahead: a longer change is a permanent one (leave expiresAt out)', 'expiresAt');
        expiresAt = new Date(ms).toISOString();
      }
      return [{ type: 'FlagValueSet', data: { key: cmd.key, value: cmd.value as FlagValue, expiresAt, reason: cmd.reason, setBy: cmd.actor, setAt: at } }];
    }
    case 'clear':
      if (effectiveValue(state, cmd.now).source === 'default') return reject('conflict', `flag "${cmd.key}" has no value set: it serves its default already`);
      return [{ type: 'FlagValueCleared', data: { key: cmd.key, reason: cmd.reason, clearedBy: cmd.actor, clearedAt: at } }];
    case 'expire': {
      const c = state.current;
      if (!c?.expiresAt || Date.parse(c.expiresAt) > cmd.now.getTime()) return reject('conflict', `flag "${cmd.key}" has no expired value to record`);
      return [{ type: 'FlagValueExpired', data: { key: cmd.key, expiresAt: c.expiresAt, recordedAt: at } }];
    }
  }
}

/** Defining a flag, changing its description or default, setting and clearing its value, recording an expiry. */
export const flagDecider: Decider<FlagState, FlagCommand, FlagEvent> = { initialState: initialFlagState, evolve: evolveFlag, decide };
