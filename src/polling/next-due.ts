import { breakerAdmits } from './breaker.decider';
import type { TargetState } from './target.state';

/**
 * When a target is next due, paused or not: a forced probe (poll-now, redrive, breaker reset) at
 * its request time, whatever the dead-letter wait and the breaker; a dead-lettered target at its
 * next retry; any other at `nextDueMs` (the interval, or an open breaker's retryAt, as its last
 * poll decided). The scheduler, the target API, scheduler health, ops health and the what-if all
 * read it here.
 */
export function dueMs(t: TargetState): number {
  if (t.forceNext) return t.nextDueMs;
  return t.deadLetter ? Date.parse(t.deadLetter.nextRetry) : t.nextDueMs;
}

/** When the scheduler next takes the target up; null while paused (it does not). */
export function nextDueMs(t: TargetState | null): number | null {
  return !t || t.paused ? null : dueMs(t);
}

/**
 * Whether the policy lets a probe run at `at` once it is due: a forced one always; a
 * dead-lettered target from its next retry; an open breaker from its retryAt (else the poll is
 * skipped). `forced` defaults to the target's own flag; the what-if passes what was recorded.
 */
export function policyAdmits(t: TargetState, at: Date, forced = t.forceNext): boolean {
  if (forced) return true;
  if (t.deadLetter) return at.getTime() >= Date.parse(t.deadLetter.nextRetry);
  return breakerAdmits(t.breaker, at);
}
