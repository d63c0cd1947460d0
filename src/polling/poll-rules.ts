import type { PollingConfig } from '../config/polling.env';
import type { BreakerConfig } from './breaker.decider';
import type { DeadLetterConfig } from './dead-letter.decider';

/** The polling policy the target decider applies, from POLL_*, BREAKER_* and DEAD_LETTER_* settings. */
export interface PollRules {
  readonly breaker: BreakerConfig;
  readonly deadLetter: DeadLetterConfig;
  readonly adaptiveEnabled: boolean;
  readonly defaultIntervalMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
}

export const pollRules = (cfg: PollingConfig): PollRules => ({
  breaker: { failureThreshold: cfg.breakerFailureThreshold, openBaseMs: cfg.breakerOpenBaseMs, openMaxMs: cfg.breakerOpenMaxMs },
  deadLetter: { streak: cfg.deadLetterStreak, retryScheduleMs: cfg.deadLetterRetrySchedule.map((s) => s * 1000) },
  adaptiveEnabled: cfg.adaptiveEnabled,
  defaultIntervalMs: cfg.defaultIntervalSeconds * 1000,
  minIntervalMs: cfg.minIntervalSeconds * 1000,
  maxIntervalMs: cfg.maxIntervalSeconds * 1000,
});
