import type { AlertEvent } from '../alerts/alert.events';
import type { RestoreDrillRecorded } from '../backup/restore-drill-recorded.event';
import type { JobDefinitionEvent } from '../jobs/events/job-definition.events';
import type { RunEvent } from '../jobs/events/run.events';
import type { WorkerEvent } from '../jobs/events/worker.events';
import type { TargetEvent } from '../polling/events/target.events';
import type { RateLimitOverrideEvent } from '../rate-limit/rate-limit-override.events';
import type { PauseEvent } from '../pausing/pause.events';

type Known = AlertEvent | RestoreDrillRecorded | JobDefinitionEvent | RunEvent | WorkerEvent | TargetEvent | RateLimitOverrideEvent | PauseEvent;

/**
 * The event types a webhook subscription may ask for: every event of runs, jobs, workers, targets
 * (polls, breakers, dead letters), pauses of jobs and tenants, alerts, restore drills and rate-limit overrides. `satisfies`
 * checks each name against the capabilities' own event unions, so a renamed or removed type fails
 * the build. Left out on purpose: `OperatorActionRecorded` (the audit log, with client addresses:
 * read it at /api/audit), token events (credentials) and the webhook events themselves (a delivery
 * of a delivery's outcome would feed itself).
 */
export const PUBLIC_EVENT_TYPES = [
  'RunEnqueued',
  'RunClaimed',
  'RunSucceeded',
  'RunFailed',
  'RetryScheduled',
  'RunDeadLettered',
  'CancelRequested',
  'RunCancelled',
  'RunExpired',
  'RunAbandoned',
  'JobDefined',
  'JobChanged',
  'JobRemoved',
  'TickMissed',
  'TickSkipped',
  'JobPaused',
  'JobResumed',
  'TenantJobsPaused',
  'TenantJobsResumed',
  'TenantTargetsPaused',
  'TenantTargetsResumed',
  'WorkerStarted',
  'WorkerStopped',
  'WorkerReaped',
  'TargetRegistered',
  'TargetChanged',
  'TargetPaused',
  'TargetResumed',
  'TargetRemoved',
  'PollRequested',
  'PollSucceeded',
  'PollFailed',
  'PollSkipped',
  'BreakerOpened',
  'BreakerHalfOpened',
  'BreakerClosed',
  'BreakerReset',
  'TargetDeadLettered',
  'DeadLetterRetryFailed',
  'TargetRecovered',
  'TargetRedriven',
  'AlertFired',
  'AlertResolved',
  'RestoreDrillRecorded',
  'RateLimitOverrideGranted',
  'RateLimitOverrideRevoked',
] as const satisfies readonly Known['type'][];

export type PublicEventType = (typeof PUBLIC_EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(PUBLIC_EVENT_TYPES);
export const isPublicEventType = (t: string): t is PublicEventType => KNOWN.has(t);
