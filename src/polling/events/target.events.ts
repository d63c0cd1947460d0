import type { BreakerEvent } from './breaker.events';
import type { DeadLetterEvent } from './dead-letter.events';
import type { FreshnessObjectiveEvent } from './freshness-objective.events';
import type { PollFailed, PollSkipped, PollSucceeded } from './poll-outcome.events';
import type {
  BreakerReset,
  PollRequested,
  TargetChanged,
  TargetPaused,
  TargetRedriven,
  TargetRegistered,
  TargetRemoved,
  TargetResumed,
} from './target-lifecycle.events';
import { POLL_FAILED_SCHEMA_VERSION } from './poll-failed.upcaster';

/**
 * Everything that can happen on a target stream. Events of a target with a tenant also carry
 * `tenant` in their data (see targetDecider); absent on events recorded before that.
 */
export type TargetEvent =
  | TargetRegistered
  | TargetChanged
  | TargetPaused
  | TargetResumed
  | TargetRemoved
  | PollRequested
  | TargetRedriven
  | BreakerReset
  | PollSucceeded
  | PollFailed
  | PollSkipped
  | BreakerEvent
  | DeadLetterEvent
  | FreshnessObjectiveEvent;

export const TARGET_EVENT_TYPES: readonly TargetEvent['type'][] = [
  'TargetRegistered',
  'TargetChanged',
  'TargetPaused',
  'TargetResumed',
  'TargetRemoved',
  'PollRequested',
  'TargetRedriven',
  'BreakerReset',
  'PollSucceeded',
  'PollFailed',
  'PollSkipped',
  'BreakerOpened',
  'BreakerHalfOpened',
  'BreakerClosed',
  'TargetDeadLettered',
  'DeadLetterRetryFailed',
  'TargetRecovered',
  'FreshnessObjectiveSet',
  'FreshnessObjectiveCleared',
];

/** The schema version each type is appended with (1 unless listed); older versions are upcast on read. */
export const targetEventSchemaVersion = (type: TargetEvent['type']): number => (type === 'PollFailed' ? POLL_FAILED_SCHEMA_VERSION : 1);
