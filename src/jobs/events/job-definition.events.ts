import { DomainEvent } from '../../event-store/envelope';
import type { JobDefinitionSnapshot } from './job-definition';

/** Events of a job whose definition names a tenant carry that `tenant` (absent on events recorded before that), as run events do. */
interface OfTenant {
  readonly tenant?: string;
}
export interface JobDefinedData extends OfTenant {
  readonly name: string;
  readonly definition: JobDefinitionSnapshot;
  readonly source: 'config' | 'code';
}
export interface JobChangedData extends JobDefinedData {
  readonly changed: readonly string[];
}
export interface JobRemovedData extends OfTenant {
  readonly name: string;
}
export interface TickMissedData extends OfTenant {
  readonly job: string;
  /** The tick that did not fire on time. */
  readonly tick: string;
  readonly detectedAt: string;
  /** What the catch-up policy did: `once` enqueues the latest missed tick only. */
  readonly policy: 'once' | 'all' | 'skip';
  /** The run enqueued for this tick by the catch-up, if any. */
  readonly caughtUpBy: string | null;
}

/** A tick that came while a hold (the job's pause, its tenant's jobs pause) kept the job from running: not run, not missed. */
export interface TickSkippedData extends OfTenant {
  readonly job: string;
  readonly tick: string;
  readonly detectedAt: string;
  /** The hold that decided (src/pausing/holds.ts), as it stood at the tick. */
  readonly hold: {
    readonly source: string;
    readonly scope: string;
    readonly subject: string;
    readonly reason: string;
    readonly by: string;
    readonly until: string | null;
  };
}

export type JobDefined = DomainEvent<'JobDefined', JobDefinedData>;
export type JobChanged = DomainEvent<'JobChanged', JobChangedData>;
export type JobRemoved = DomainEvent<'JobRemoved', JobRemovedData>;
export type TickMissed = DomainEvent<'TickMissed', TickMissedData>;
export type TickSkipped = DomainEvent<'TickSkipped', TickSkippedData>;
export type JobDefinitionEvent = JobDefined | JobChanged | JobRemoved | TickMissed | TickSkipped;
export const JOB_DEFINITION_EVENT_TYPES: readonly JobDefinitionEvent['type'][] = ['JobDefined', 'JobChanged', 'JobRemoved', 'TickMissed', 'TickSkipped'];

export const jobDefStream = (name: string) => `jobdef-${name}`;
