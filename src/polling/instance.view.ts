import type { TargetState } from './target.state';
import { rfc3339 } from '../shared/clock';

/** One target as scheduler health lists it (the target API builds on it): identity, poll status, breaker, dead letter. */
export function instanceView(t: TargetState) {
  return {
    key: t.key,
    type: t.type,
    displayName: t.spec.displayName ?? t.name,
    instance: t.name,
    connection: t.spec.probe.url,
    pollStatus: {
      lastSuccess: rfc3339(t.lastSuccess),
      lastError: t.lastError ? { at: rfc3339(t.lastError.at), message: t.lastError.message, category: t.lastError.category } : null,
      consecutiveFailures: t.consecutiveFailures,
      firstFailureAt: rfc3339(t.firstFailureAt),
    },
    breaker: {
      state: t.breaker.state,
      since: rfc3339(t.breaker.since),
      lastTransition: rfc3339(t.breaker.lastTransition),
      retryAt: rfc3339(t.breaker.retryAt),
      failureCount: t.breaker.failureCount,
    },
    deadLetter: t.deadLetter
      ? {
          present: true,
          reason: t.deadLetter.reason,
          firstAttempt: rfc3339(t.deadLetter.firstAttempt),
          lastAttempt: rfc3339(t.deadLetter.lastAttempt),
          retryCount: t.deadLetter.retryCount,
          nextRetry: rfc3339(t.deadLetter.nextRetry),
        }
      : { present: false },
  };
}
