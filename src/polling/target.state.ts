import type { TargetEvent } from './events/target.events';
import type { DeadLetterReason } from './events/dead-letter.events';
import type { FailureCategory, FailureKind, IntervalDecision } from './events/poll-outcome.events';
import type { TargetSource, TargetSpec } from './events/target-spec';

export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface BreakerSnapshot {
  readonly state: BreakerStateName;
  readonly since: string | null;
  readonly lastTransition: string | null;
  readonly retryAt: string | null;
  readonly failureCount: number;
  readonly trips: number;
}

export interface DeadLetterSnapshot {
  readonly reason: DeadLetterReason;
  readonly firstAttempt: string;
  readonly lastAttempt: string;
  readonly retryCount: number;
  readonly nextRetry: string;
}

/**
 * The latest poll outcome and what its append wrote: `outcome` is `ok <status>` or
 * `<failureKind> <status>`, `changed` whether it differs from the outcome before it (the first
 * poll counts as a change), `nbEvents` the events of that append (the outcome and the breaker or
 * dead-letter transitions it caused).
 */
export interface LastWrite {
  readonly at: string;
  readonly outcome: string;
  readonly changed: boolean;
  readonly nbEvents: number;
}

export interface TargetPauseInfo {
  readonly reason: string;
  readonly by: string;
  readonly since: string;
  readonly resumeAt: string | null;
}

export interface LastError {
  readonly at: string;
  readonly message: string;
  readonly category: FailureCategory;
  readonly failureKind: FailureKind;
  readonly statusCode: number | null;
}

/**
 * Everything known about one target, folded from its stream. It is both the scheduler's
 * in-memory state and the `rm_targets` row (plain JSON), so a read-model row is also a snapshot
 * the scheduler and command handlers can resume from.
 */
export interface TargetState {
  readonly key: string;
  readonly type: string;
  readonly name: string;
  readonly spec: TargetSpec;
  readonly source: TargetSource;
  readonly registeredAt: string;
  readonly paused: boolean;
  /** Who paused it, why, and until when (absent on rows folded before it existed, and while not paused). */
  readonly pause?: TargetPauseInfo | null;
  readonly lastPollAt: string | null;
  readonly lastSuccess: string | null;
  readonly lastError: LastError | null;
  readonly consecutiveFailures: number;
  readonly firstFailureAt: string | null;
  /** Last chosen interval (the previous value the adaptive formula smooths with). */
  readonly intervalMs: number | null;
  readonly lastInterval: IntervalDecision | null;
  readonly nextDueAt: string;
  /** nextDueAt as epoch ms: a generated, indexed column of rm_targets. */
  readonly nextDueMs: number;
  /** Set by poll-now, redrive and reset: the next probe ignores the breaker and the dead-letter wait. */
  readonly forceNext: boolean;
  readonly breaker: BreakerSnapshot;
  readonly deadLetter: DeadLetterSnapshot | null;
  readonly polls: number;
  readonly failures: number;
  readonly skips: number;
  /** Absent on rows folded before it existed (read it as null). */
  readonly lastWrite?: LastWrite | null;
}

const outcomeOf = (d: { statusCode: number | null; failureKind?: string }) => `${d.failureKind ?? 'ok'} ${d.statusCode ?? '-'}`;

/** A poll outcome opens a write; the transitions decided with it are appended right after it, in the same append. */
function pollWrite(s: TargetState, d: { at: string; durationMs: number; statusCode: number | null; failureKind?: string }): LastWrite {
  const outcome = outcomeOf(d);
  return { at: new Date(Date.parse(d.at) + d.durationMs).toISOString(), outcome, changed: s.lastWrite?.outcome !== outcome, nbEvents: 1 };
}

/** Transitions only ever follow their poll outcome in the same append (target.decider decideOutcome). */
const plusOne = (s: TargetState): Partial<TargetState> => (s.lastWrite ? { lastWrite: { ...s.lastWrite, nbEvents: s.lastWrite.nbEvents + 1 } } : {});

const due = (at: string) => ({ nextDueAt: at, nextDueMs: Date.parse(at) });

export const closedBreaker = (at: string | null): BreakerSnapshot => ({
  state: 'closed',
  since: at,
  lastTransition: null,
  retryAt: null,
  failureCount: 0,
  trips: 0,
});

/** Before its registration (and after its removal) a target has no state. */
export const initialTargetState: TargetState | null = null;

/**
 * The breaker part of a target, folded from any of its events: the breaker decider's state. A
 * failed poll counts toward opening; a success resets the count of a closed breaker; the
 * transitions carry the whole new state.
 */
export function evolveBreaker(b: BreakerSnapshot, event: TargetEvent): BreakerSnapshot {
  switch (event.type) {
    case 'TargetRegistered':
      return closedBreaker(event.data.at);
    case 'BreakerReset': {
      const d = event.data;
      return { state: 'closed', since: d.since, lastTransition: d.lastTransition, retryAt: null, failureCount: 0, trips: 0 };
    }
    case 'PollSucceeded':
      return b.state === 'closed' ? { ...b, failureCount: 0 } : b;
    case 'PollFailed':
      return { ...b, failureCount: b.failureCount + 1 };
    case 'BreakerOpened':
    case 'BreakerHalfOpened':
    case 'BreakerClosed': {
      const d = event.data;
      const state: BreakerStateName = event.type === 'BreakerOpened' ? 'open' : event.type === 'BreakerHalfOpened' ? 'half_open' : 'closed';
      return { state, since: d.since, lastTransition: d.lastTransition, retryAt: d.retryAt, failureCount: d.failureCount, trips: d.trips };
    }
    default:
      return b;
  }
}

/** The dead-letter part of a target, folded from any of its events: the dead-letter decider's state. */
export function evolveDeadLetter(dl: DeadLetterSnapshot | null, event: TargetEvent): DeadLetterSnapshot | null {
  switch (event.type) {
    case 'TargetRegistered':
    case 'TargetRedriven':
    case 'TargetRecovered':
      return null;
    case 'TargetDeadLettered':
    case 'DeadLetterRetryFailed': {
      const d = event.data;
      return { reason: d.reason, firstAttempt: d.firstAttempt, lastAttempt: d.lastAttempt, retryCount: d.retryCount, nextRetry: d.nextRetry };
    }
    default:
      return dl;
  }
}

/**
 * Pure fold of one target stream: the write model the scheduler and the command handlers decide
 * on, and the `rm_targets` row. Returns null when the target is removed (or before it exists).
 */
export function evolveTarget(s: TargetState | null, event: TargetEvent): TargetState | null {
  if (event.type === 'TargetRegistered') {
    const d = event.data;
    return {
      key: d.key,
      type: d.spec.type,
      name: d.spec.name,
      spec: d.spec,
      source: d.source,
      registeredAt: d.at,
      paused: false,
      lastPollAt: null,
      lastSuccess: null,
      lastError: null,
      consecutiveFailures: 0,
      firstFailureAt: null,
      intervalMs: null,
      lastInterval: null,
      ...due(d.at),
      forceNext: false,
      breaker: evolveBreaker(closedBreaker(null), event),
      deadLetter: null,
      polls: 0,
      failures: 0,
      skips: 0,
      lastWrite: null,
    };
  }
  if (!s) return null; // events of a removed target (none are written) are ignored
  switch (event.type) {
    case 'TargetChanged':
      return { ...s, spec: event.data.spec };
    case 'TargetPaused': {
      const d = event.data;
      return { ...s, paused: true, pause: { reason: d.reason ?? '', by: d.pausedBy ?? 'unknown', since: d.at, resumeAt: d.resumeAt ?? null } };
    }
    case 'TargetResumed':
      return { ...s, paused: false, pause: null, ...due(event.data.nextPollAt) };
    case 'TargetRemoved':
      return null;
    case 'PollRequested':
      return { ...s, forceNext: true, ...due(event.data.at) };
    case 'TargetRedriven':
      return { ...s, deadLetter: evolveDeadLetter(s.deadLetter, event), forceNext: true, ...due(event.data.at) };
    case 'BreakerReset':
      return { ...s, breaker: evolveBreaker(s.breaker, event), forceNext: true, ...due(event.data.at) };
    case 'PollSucceeded': {
      const d = event.data;
      return {
        ...s,
        lastPollAt: d.at,
        lastSuccess: d.at,
        consecutiveFailures: 0,
        firstFailureAt: null,
        intervalMs: d.interval.chosenMs,
        lastInterval: d.interval,
        forceNext: false,
        breaker: evolveBreaker(s.breaker, event),
        polls: s.polls + 1,
        lastWrite: pollWrite(s, d),
        ...due(d.nextPollAt),
      };
    }
    case 'PollFailed': {
      const d = event.data;
      return {
        ...s,
        lastPollAt: d.at,
        lastError: { at: d.at, message: d.message, category: d.category, failureKind: d.failureKind, statusCode: d.statusCode },
        consecutiveFailures: s.consecutiveFailures + 1,
        firstFailureAt: s.firstFailureAt ?? d.at,
        intervalMs: d.interval.chosenMs,
        lastInterval: d.interval,
        forceNext: false,
        breaker: evolveBreaker(s.breaker, event),
        polls: s.polls + 1,
        failures: s.failures + 1,
        lastWrite: pollWrite(s, d),
        ...due(d.nextPollAt),
      };
    }
    case 'PollSkipped':
      return { ...s, skips: s.skips + 1, ...due(event.data.nextPollAt) };
    case 'BreakerOpened':
    case 'BreakerHalfOpened':
    case 'BreakerClosed':
      return { ...s, ...(event.type === 'BreakerHalfOpened' ? {} : plusOne(s)), breaker: evolveBreaker(s.breaker, event) };
    case 'TargetDeadLettered':
    case 'DeadLetterRetryFailed':
    case 'TargetRecovered':
      return { ...s, ...plusOne(s), deadLetter: evolveDeadLetter(s.deadLetter, event) };
    case 'FreshnessObjectiveSet':
      return { ...s, spec: { ...s.spec, freshness: event.data.objective } };
    case 'FreshnessObjectiveCleared': {
      const { freshness: _dropped, ...spec } = s.spec;
      return { ...s, spec };
    }
    default:
      return s;
  }
}
