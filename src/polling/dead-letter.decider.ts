import type { Decider } from '../shared/decider';
import type { DeadLetterEvent } from './events/dead-letter.events';
import type { FailureCategory } from './events/poll-outcome.events';
import type { TargetEvent } from './events/target.events';
import { DeadLetterSnapshot, evolveDeadLetter } from './target.state';

export interface DeadLetterConfig {
  /** Consecutive transient failures that dead-letter a target. */
  readonly streak: number;
  /** Delays after entering / after each failed retry; the last one repeats (default 5 min … 24 h). */
  readonly retryScheduleMs: readonly number[];
}

export interface RecordOutcome {
  readonly type: 'RecordOutcome';
  readonly key: string;
  readonly config: DeadLetterConfig;
  readonly ok: boolean;
  readonly category?: FailureCategory;
  /** When the probe started (the attempt) and finished (when the decision is taken). */
  readonly attemptAt: Date;
  readonly at: Date;
  /** The failure streak including this outcome. */
  readonly consecutiveFailures: number;
  readonly firstFailureAt: string | null;
}

export type DeadLetterCommand = RecordOutcome;

export const retryDelayMs = (retryCount: number, cfg: DeadLetterConfig) => cfg.retryScheduleMs[Math.min(retryCount, cfg.retryScheduleMs.length - 1)];

/**
 * Permanent failure → dead-letter at once; a config failure (the egress policy refused the
 * request) too, as `config_error`: it fails the same way on every poll until the installation's
 * configuration or the target changes, and the dead-letter retries (slow, on the schedule) notice
 * when it has. A transient streak of N → dead-letter; retries follow the schedule; a success leaves.
 */
export function decideDeadLetter(cmd: DeadLetterCommand, dl: DeadLetterSnapshot | null): DeadLetterEvent[] {
  const { key, config } = cmd;
  const at = cmd.at.toISOString();
  if (cmd.ok) return dl ? [{ type: 'TargetRecovered', data: { key, at, reason: dl.reason, retryCount: dl.retryCount } }] : [];
  const lastAttempt = cmd.attemptAt.toISOString();
  if (dl) {
    const retryCount = dl.retryCount + 1;
    const nextRetry = new Date(cmd.at.getTime() + retryDelayMs(retryCount, config)).toISOString();
    return [{ type: 'DeadLetterRetryFailed', data: { key, at, reason: dl.reason, firstAttempt: dl.firstAttempt, lastAttempt, retryCount, nextRetry } }];
  }
  const reason =
    cmd.category === 'permanent'
      ? 'permanent_failure'
      : cmd.category === 'config'
        ? 'config_error'
        : cmd.consecutiveFailures >= config.streak
          ? 'max_retry_attempts'
          : null;
  if (!reason) return [];
  const nextRetry = new Date(cmd.at.getTime() + retryDelayMs(0, config)).toISOString();
  return [{ type: 'TargetDeadLettered', data: { key, at, reason, firstAttempt: cmd.firstFailureAt ?? lastAttempt, lastAttempt, retryCount: 0, nextRetry } }];
}

/** A target's dead-letter entry as a decider: folded by evolveDeadLetter (as the target's state is); it never rejects. */
export const deadLetterDecider: Decider<DeadLetterSnapshot | null, DeadLetterCommand, TargetEvent> = {
  initialState: null,
  evolve: evolveDeadLetter,
  decide: decideDeadLetter,
};
