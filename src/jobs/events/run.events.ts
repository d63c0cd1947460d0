import { DomainEvent } from '../../event-store/envelope';

export type Priority = 'high' | 'normal' | 'low';
export type Trigger = 'schedule' | 'manual' | 'retry';
export const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export interface Backoff {
  readonly kind: 'exponential' | 'fixed';
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Everything a run needs is copied from its definition at enqueue, so a run never depends on a later edit. */
export interface RunEnqueuedData {
  readonly runId: string;
  readonly job: string;
  readonly trigger: Trigger;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly params: Record<string, unknown>;
  readonly tenant: string | null;
  readonly priority: Priority;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** The job's declared stuck age (absent: the janitor's default; and on runs enqueued before it existed). */
  readonly stuckAfterMs?: number;
  readonly cancellable: boolean;
  readonly backoff: Backoff;
  readonly enqueuedAt: string;
  /** When it may start (a retry of a failed run may wait). */
  readonly readyAt: string;
  /** Dropped (RunExpired) if still queued at this time. */
  readonly expiresAt: string | null;
  /** The cron tick this run is for (trigger schedule). */
  readonly scheduledFor: string | null;
  /** The run this one retries (trigger retry). */
  readonly retryOf: string | null;
  /** An admin queued it through a hold (a paused job or tenant) with `force: true`: workers claim it anyway. */
  readonly forced?: true;
}

/** Events after RunEnqueued carry `job` (and `tenant` when the run has one); absent on events recorded before that. */
interface OfJob {
  readonly job?: string;
  readonly tenant?: string;
}
export interface RunClaimedData extends OfJob {
  readonly workerId: string;
  readonly attempt: number;
  readonly claimedAt: string;
}
/**
 * Kinds of failure the run rules treat specially. `blocked_by_policy`: the egress policy refused
 * the http handler's request; nothing was sent, and only a configuration change fixes it.
 */
export type RunErrorKind = 'blocked_by_policy';

export interface RunOutcomeData extends OfJob {
  readonly workerId: string;
  readonly attempt: number;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly exitCode: number | null;
  readonly logTail: string;
  readonly error: string | null;
  /** Absent for failures of no particular kind (and on events recorded before it existed). */
  readonly errorKind?: RunErrorKind;
}
export interface RetryScheduledData extends OfJob {
  readonly attempt: number;
  readonly readyAt: string;
  readonly backoffMs: number;
}
export interface RunDeadLetteredData extends OfJob {
  readonly attempts: number;
  readonly reason: string;
  readonly at: string;
}
export interface CancelRequestedData extends OfJob {
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
}
export interface RunCancelledData extends OfJob {
  readonly at: string;
  readonly by: 'operator' | 'janitor' | 'worker';
  readonly reason: string;
  readonly durationMs: number | null;
  readonly logTail?: string;
}
export interface RunExpiredData extends OfJob {
  readonly at: string;
  readonly expiresAt: string;
}
export interface RunAbandonedData extends OfJob {
  readonly workerId: string;
  readonly attempt: number;
  readonly at: string;
  readonly reason: string;
}

export type RunEnqueued = DomainEvent<'RunEnqueued', RunEnqueuedData>;
export type RunClaimed = DomainEvent<'RunClaimed', RunClaimedData>;
export type RunSucceeded = DomainEvent<'RunSucceeded', RunOutcomeData>;
export type RunFailed = DomainEvent<'RunFailed', RunOutcomeData>;
export type RetryScheduled = DomainEvent<'RetryScheduled', RetryScheduledData>;
export type RunDeadLettered = DomainEvent<'RunDeadLettered', RunDeadLetteredData>;
export type CancelRequested = DomainEvent<'CancelRequested', CancelRequestedData>;
export type RunCancelled = DomainEvent<'RunCancelled', RunCancelledData>;
export type RunExpired = DomainEvent<'RunExpired', RunExpiredData>;
export type RunAbandoned = DomainEvent<'RunAbandoned', RunAbandonedData>;

/** Every event of a `job-<runId>` stream. */
export type RunEvent =
  RunEnqueued | RunClaimed | RunSucceeded | RunFailed | RetryScheduled | RunDeadLettered | CancelRequested | RunCancelled | RunExpired | RunAbandoned;
export const RUN_EVENT_TYPES: readonly RunEvent['type'][] = [
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
];

export const runStream = (runId: string) => `job-${runId}`;
