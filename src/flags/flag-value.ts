import type { FlagType, FlagValue } from './flag.events';

/** Why a value does not fit a flag's type, or null when it does. */
export function valueProblem(type: FlagType, value: unknown): string | null {
  if (value === undefined) return 'is required';
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false (the flag is boolean)';
    case 'string':
      return typeof value === 'string' ? null : 'must be a string (the flag is string)';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a finite number (the flag is number)';
    case 'json':
      // OpenFeature resolves JSON flags as objects: an object or an array, not a bare scalar.
      return value !== null && typeof value === 'object' ? null : 'must be a JSON object or array (the flag is json)';
  }
}

/** The value a flag serves at `now`: the operator's while set and unexpired, else the default. */
export interface Effective {
  readonly value: FlagValue;
  readonly source: 'default' | 'set';
  readonly expiresAt: string | null;
}

export interface FlagValues {
  readonly defaultValue: FlagValue;
  readonly current: { readonly value: FlagValue; readonly expiresAt: string | null } | null;
}

/** Expiry is decided here, at read time, from the event's `expiresAt`: no reader waits for the expiry loop. */
export function effectiveValue(flag: FlagValues, now: Date): Effective {
  const c = flag.current;
  if (c && (c.expiresAt === null || Date.parse(c.expiresAt) > now.getTime())) return { value: c.value, source: 'set', expiresAt: c.expiresAt };
  return { value: flag.defaultValue, source: 'default', expiresAt: null };
}
