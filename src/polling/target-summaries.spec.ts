import { RecordedEvent } from '../event-store/envelope';
import { EventSummaries } from '../timeline/event-summaries';
import { TARGET_EVENT_TYPES } from './events/target.events';
import { ordinal, registerTargetSummaries, TARGET_SUMMARIES } from './target-summaries';

const ev = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: 'e',
  streamId: `target-${data.key}`,
  revision: 0n,
  position: 1n,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: '2026-11-25T00:00:00Z' },
  recordedAt: new Date(),
  checkpoint: '1',
});

describe('target event summaries', () => {
  const s = new EventSummaries();
  registerTargetSummaries(s);

  it('covers every target event type', () => {
    expect(Object.keys(TARGET_SUMMARIES).sort()).toEqual([...TARGET_EVENT_TYPES].sort());
  });

  it('given a failed poll, then kind, status, duration and streak position', () => {
    expect(s.summarize(ev('PollFailed', { key: 'instance::eu-1', failureKind: 'http_5xx', statusCode: 503, durationMs: 41, consecutiveFailures: 3 }))).toBe(
      'instance::eu-1 poll failed: http_5xx 503 in 41 ms (3rd in a row)',
    );
    expect(
      s.summarize(ev('PollFailed', { key: 'instance::eu-1', failureKind: 'http_timeout', statusCode: null, durationMs: 5000, consecutiveFailures: 12 })),
    ).toBe('instance::eu-1 poll failed: http_timeout in 5000 ms (12th in a row)');
  });

  it('given breaker and dead-letter transitions, then when they end and why', () => {
    expect(s.summarize(ev('BreakerOpened', { key: 'instance::eu-1', retryAt: '2025-10-20T13:05:15.000Z', trips: 2 }))).toBe(
      'breaker opened for instance::eu-1 until 13:05:15Z (trip 2)',
    );
    expect(s.summarize(ev('TargetDeadLettered', { key: 'pbs::b', reason: 'max_retry_attempts', nextRetry: '2025-10-20T13:30:00Z' }))).toBe(
      'pbs::b dead-lettered (max_retry_attempts); next retry 13:30:00Z',
    );
    expect(s.summarize(ev('TargetRedriven', { key: 'pbs::b', previousReason: 'permanent_failure', retryCount: 1 }))).toBe(
      'pbs::b redriven out of the dead-letter set (was permanent_failure, 1 retries)',
    );
    expect(
      s.summarize(
        ev('TargetChanged', {
          key: 'pbs::b',
          previous: { probe: { url: 'http://a' }, intervalSeconds: 10 },
          spec: { probe: { url: 'http://b' }, intervalSeconds: 10 },
        }),
      ),
    ).toBe('pbs::b changed: probe.url');
  });

  it('ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']);
  });
});
