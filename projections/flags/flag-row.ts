import type { FlagType, FlagValue } from '../../src/flags/flag.events';

/** One flag as the API serves it; the effective value is worked out at read time (expiry). */
export interface FlagRow {
  readonly key: string;
  readonly description: string;
  readonly type: FlagType;
  readonly defaultValue: FlagValue;
  /** The operator's value, or null when the flag serves its default. */
  readonly current: {
    readonly value: FlagValue;
    readonly expiresAt: string | null;
    readonly setBy: string;
    readonly setAt: string;
    readonly reason: string;
  } | null;
  readonly definedBy: string;
  readonly definedAt: string;
  /** The last change of any kind (definition, value, expiry). */
  readonly updatedAt: string;
}
