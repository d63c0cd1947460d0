import type { Logger } from 'pino';
import type { TargetEvent } from '../events/target.events';

/** One log line per notable event of a poll (docs/operations.md lists them). */
export function logPollEvents(log: Logger, key: string, events: readonly TargetEvent[]): void {
  for (const ev of events) {
    if (ev.type === 'PollFailed')
      log.warn(
        {
          event: 'poll.failed',
          key,
          failureKind: ev.data.failureKind,
          category: ev.data.category,
          statusCode: ev.data.statusCode,
          durationMs: ev.data.durationMs,
          consecutiveFailures: ev.data.consecutiveFailures,
        },
        ev.data.message,
      );
    else if (ev.type === 'BreakerHalfOpened') log.info({ event: 'breaker.half_opened', key }, 'breaker half-open');
    else if (ev.type === 'BreakerOpened') log.warn({ event: 'breaker.opened', key, retryAt: ev.data.retryAt, trips: ev.data.trips }, 'breaker opened');
    else if (ev.type === 'BreakerClosed') log.info({ event: 'breaker.closed', key }, 'breaker closed');
    else if (ev.type === 'TargetDeadLettered')
      log.warn({ event: 'target.dead_lettered', key, reason: ev.data.reason, nextRetry: ev.data.nextRetry }, 'target dead-lettered');
    else if (ev.type === 'DeadLetterRetryFailed')
      log.warn({ event: 'target.dead_letter_retry_failed', key, retryCount: ev.data.retryCount, nextRetry: ev.data.nextRetry }, 'dead-letter retry failed');
    else if (ev.type === 'TargetRecovered') log.info({ event: 'target.recovered', key }, 'target recovered');
  }
}
