import type { DomainEvent } from '../event-store/envelope';

/** `read_only`: the tenant's writes answer 503; `offline`: all of its requests do (but the maintenance routes). */
export const MAINTENANCE_MODES = ['read_only', 'offline'] as const;
export type MaintenanceMode = (typeof MAINTENANCE_MODES)[number];

/**
 * An operator's maintenance window for a tenant: from `startsAt` (the decision's time when none was
 * given) until `endsAt` (null: until ended). It replaces any window the tenant had.
 */
export type MaintenanceScheduled = DomainEvent<
  'MaintenanceScheduled',
  {
    tenant: string;
    mode: MaintenanceMode;
    banner: string;
    startsAt: string;
    endsAt: string | null;
    reason: string;
    scheduledBy: string;
    scheduledAt: string;
  }
>;

/**
 * The window opened: recorded with the schedule when it starts at once, else by the window loop
 * once `startsAt` has passed (`startedAt` is then the window's start, `recordedAt` when it was seen).
 * The effects never wait for it: they compare the window with the clock.
 */
export type MaintenanceStarted = DomainEvent<
  'MaintenanceStarted',
  { tenant: string; mode: MaintenanceMode; banner: string; startedAt: string; endsAt: string | null; recordedAt: string }
>;

/**
 * An open window closed: `ended_early` (an operator ended it), `window_closed` (its `endsAt`
 * passed; `endedAt` is that instant) or `rescheduled` (replaced by a window that starts later).
 */
export type MaintenanceEnded = DomainEvent<
  'MaintenanceEnded',
  {
    tenant: string;
    mode: MaintenanceMode;
    startedAt: string;
    endedAt: string;
    cause: 'ended_early' | 'window_closed' | 'rescheduled';
    reason: string | null;
    endedBy: string | null;
    recordedAt: string;
  }
>;

/** A window that had not opened yet was called off by an operator. */
export type MaintenanceCancelled = DomainEvent<
  'MaintenanceCancelled',
  { tenant: string; mode: MaintenanceMode; startsAt: string; reason: string; cancelledBy: string; cancelledAt: string }
>;

export type MaintenanceEvent = MaintenanceScheduled | MaintenanceStarted | MaintenanceEnded | MaintenanceCancelled;
export const MAINTENANCE_EVENT_TYPES: readonly MaintenanceEvent['type'][] = [
  'MaintenanceScheduled',
  'MaintenanceStarted',
  'MaintenanceEnded',
  'MaintenanceCancelled',
];

export const maintenanceStream = (tenant: string) => `maintenance-${tenant}`;
