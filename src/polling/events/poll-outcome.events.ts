import type { DomainEvent } from '../../event-store/envelope';

export const FAILURE_KINDS = ['http_timeout', 'http_4xx', 'http_5xx', 'parse_error', 'network_error', 'invalid_config', 'blocked_by_policy'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
/**
 * transient: may fix itself (retry); permanent: the remote said no (401/403/404) or the target is
 * invalid; config: this installation refuses the request (egress policy) — no request was made,
 * and only a change of configuration (EGRESS_ALLOW) or of the target fixes it.
 */
export const FAILURE_CATEGORIES = ['transient', 'permanent', 'config'] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];
export type PollTrigger = 'schedule' | 'half_open' | 'dead_letter_retry' | 'requested';

/** Why the next poll is when it is: the inputs of the interval formula (adaptive-interval.ts) and its result, kept so a schedule can be explained later. */
export interface IntervalDecision {
  readonly mode: 'fixed' | 'adaptive';
  readonly baseMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** clamp((now − lastSuccess) / max, 0, 1); 1 when never succeeded. */
  readonly stalenessScore: number;
  readonly recentErrors: number;
  readonly previousMs: number;
  readonly rawMs: number;
  readonly smoothedMs: number;
  /** Applied multiplier, e.g. 1.03 for +3 %. */
  readonly jitter: number;
  /** Quiet-hours multiplier (1 outside quiet hours). */
  readonly factor: number;
  readonly chosenMs: number;
}

interface PollCommon {
  readonly key: string;
  /** When the probe started. */
  readonly at: string;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly trigger: PollTrigger;
  /** Due time the scheduler started this probe for; lateness = at − dueAt. */
  readonly dueAt: string;
  readonly interval: IntervalDecision;
  readonly nextPollAt: string;
}

export type PollSucceeded = DomainEvent<'PollSucceeded', PollCommon>;
export type PollFailed = DomainEvent<
  'PollFailed',
  PollCommon & { readonly failureKind: FailureKind; readonly category: FailureCategory; readonly message: string; readonly consecutiveFailures: number }
>;
/** A scheduled poll not made because the breaker is open (not a failure). */
export type PollSkipped = DomainEvent<'PollSkipped', { key: string; at: string; reason: 'breaker_open'; retryAt: string; nextPollAt: string }>;
