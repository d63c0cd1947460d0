import type { DomainEvent } from '../event-store/envelope';

/**
 * What an operator can pause besides a whole loop: one job (by name), every job of a tenant, every
 * target of a tenant. One target's pause is a target event (TargetPaused, src/polling).
 */
export const PAUSE_SCOPES = ['job', 'tenant-jobs', 'tenant-targets'] as const;
export type PauseScope = (typeof PAUSE_SCOPES)[number];

export interface PauseSubjectRef {
  readonly scope: PauseScope;
  /** The job name, or the tenant for tenant-wide scopes. */
  readonly subject: string;
  /** The tenant the paused thing belongs to (absent: a job of no tenant). Lets the timeline scope it. */
  readonly tenant?: string;
}

export interface PausedData extends PauseSubjectRef {
  readonly reason: string;
  /** When the pause ends by itself (null: until resumed). */
  readonly resumeAt: string | null;
  readonly pausedBy: string;
  readonly at: string;
}
export interface ResumedData extends PauseSubjectRef {
  readonly reason: string;
  readonly resumedBy: string;
  /** An automatic resume: at the pause's resumeAt, recorded by the system, no operator. */
  readonly auto: boolean;
  readonly at: string;
}

export type JobPaused = DomainEvent<'JobPaused', PausedData>;
export type JobResumed = DomainEvent<'JobResumed', ResumedData>;
export type TenantJobsPaused = DomainEvent<'TenantJobsPaused', PausedData>;
export type TenantJobsResumed = DomainEvent<'TenantJobsResumed', ResumedData>;
export type TenantTargetsPaused = DomainEvent<'TenantTargetsPaused', PausedData>;
export type TenantTargetsResumed = DomainEvent<'TenantTargetsResumed', ResumedData>;
export type PauseEvent = JobPaused | JobResumed | TenantJobsPaused | TenantJobsResumed | TenantTargetsPaused | TenantTargetsResumed;

export const PAUSE_EVENT_TYPES: Record<PauseScope, { paused: PauseEvent['type']; resumed: PauseEvent['type'] }> = {
  job: { paused: 'JobPaused', resumed: 'JobResumed' },
  'tenant-jobs': { paused: 'TenantJobsPaused', resumed: 'TenantJobsResumed' },
  'tenant-targets': { paused: 'TenantTargetsPaused', resumed: 'TenantTargetsResumed' },
};
export const ALL_PAUSE_EVENT_TYPES = Object.values(PAUSE_EVENT_TYPES).flatMap((t) => [t.paused, t.resumed]);
export const isPausedEvent = (e: PauseEvent): e is JobPaused | TenantJobsPaused | TenantTargetsPaused => e.type.endsWith('Paused');

export const pauseStream = (scope: PauseScope, subject: string) => `pause-${scope}-${subject}`;
