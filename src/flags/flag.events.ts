import { DomainEvent } from '../event-store/envelope';

/** The value types a flag may hold; the OpenFeature SDKs resolve boolean, string, number and object (JSON). */
export const FLAG_TYPES = ['boolean', 'string', 'number', 'json'] as const;
export type FlagType = (typeof FLAG_TYPES)[number];

/** Any JSON value (a `json` flag may hold an object, an array or a scalar). */
export type FlagValue = boolean | string | number | null | FlagValue[] | { [key: string]: FlagValue };

export type FlagDefined = DomainEvent<
  'FlagDefined',
  { key: string; description: string; type: FlagType; defaultValue: FlagValue; reason: string; definedBy: string; definedAt: string }
>;
export type FlagRedefined = DomainEvent<
  'FlagRedefined',
  { key: string; description: string; defaultValue: FlagValue; reason: string; redefinedBy: string; redefinedAt: string }
>;
/** An operator's value: it wins over the default until cleared or, when `expiresAt` is set, until then. */
export type FlagValueSet = DomainEvent<
  'FlagValueSet',
  { key: string; value: FlagValue; expiresAt: string | null; reason: string; setBy: string; setAt: string }
>;
export type FlagValueCleared = DomainEvent<'FlagValueCleared', { key: string; reason: string; clearedBy: string; clearedAt: string }>;
/** The expiry loop records that a temporary value ran out (readers stopped serving it at `expiresAt` already). */
export type FlagValueExpired = DomainEvent<'FlagValueExpired', { key: string; expiresAt: string; recordedAt: string }>;

export type FlagEvent = FlagDefined | FlagRedefined | FlagValueSet | FlagValueCleared | FlagValueExpired;
export const FLAG_EVENT_TYPES: readonly FlagEvent['type'][] = ['FlagDefined', 'FlagRedefined', 'FlagValueSet', 'FlagValueCleared', 'FlagValueExpired'];

export const flagStream = (key: string) => `flag-${key}`;
