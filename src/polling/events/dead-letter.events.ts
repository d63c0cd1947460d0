import type { DomainEvent } from '../../event-store/envelope';

/** config_error: the egress policy refused the target's request (see FailureCategory `config`). */
export type DeadLetterReason = 'permanent_failure' | 'config_error' | 'max_retry_attempts';

export interface DeadLetterFields {
  readonly key: string;
  readonly reason: DeadLetterReason;
  /** First failed attempt of the streak that dead-lettered it (scheduler health shows it equal to the streak's firstFailureAt). */
  readonly firstAttempt: string;
  readonly lastAttempt: string;
  readonly retryCount: number;
  /** When the target is polled again (a retry; ops health's `disabledUntil`): it stays out of rotation until then. */
  readonly nextRetry: string;
}

export type TargetDeadLettered = DomainEvent<'TargetDeadLettered', DeadLetterFields & { at: string }>;
export type DeadLetterRetryFailed = DomainEvent<'DeadLetterRetryFailed', DeadLetterFields & { at: string }>;
/** A success took the target out of the dead-letter set. */
export type TargetRecovered = DomainEvent<'TargetRecovered', { key: string; at: string; reason: DeadLetterReason; retryCount: number }>;
export type DeadLetterEvent = TargetDeadLettered | DeadLetterRetryFailed | TargetRecovered;
