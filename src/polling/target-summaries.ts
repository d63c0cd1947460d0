import type { RecordedEvent } from '../event-store/envelope';
import type { TargetEvent } from './events/target.events';
import type { FreshnessObjective } from './events/target-spec';

/** "13:05:15Z": the clock time is what a reader scans for in a timeline of one incident. */
const hms = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().slice(11, 19) + 'Z' : '?');

export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${s}`;
}

function changedFields(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  return keys.flatMap((k) => {
    const x = a?.[k];
    const y = b?.[k];
    if (x && y && typeof x === 'object' && typeof y === 'object')
      return changedFields(x as Record<string, unknown>, y as Record<string, unknown>, `${prefix}${k}.`);
    return JSON.stringify(x) === JSON.stringify(y) ? [] : [`${prefix}${k}`];
  });
}

const freshnessText = (o: FreshnessObjective) => `a success at most ${o.maxAgeSeconds} s old ${o.objective} % of the time over ${o.window}`;

type Summaries = { [T in TargetEvent['type']]: (d: Extract<TargetEvent, { type: T }>['data']) => string };

/** One human line per target event, as the incident timeline shows it. */
export const TARGET_SUMMARIES: Summaries = {
  TargetRegistered: (d) =>
    `${d.key} registered (${d.source}${d.spec.tenant ? `, tenant ${d.spec.tenant}` : ''}): ${d.spec.probe.kind} ${d.spec.probe.method ?? 'GET'} ${d.spec.probe.url}`,
  TargetChanged: (d) =>
    `${d.key} changed: ${changedFields(d.previous as unknown as Record<string, unknown>, d.spec as unknown as Record<string, unknown>).join(', ') || 'no field'}`,
  TargetPaused: (d) => `${d.key} paused${d.pausedBy ? ` by ${d.pausedBy}` : ''}${d.resumeAt ? ` until ${d.resumeAt}` : ''}${d.reason ? `: "${d.reason}"` : ''}`,
  TargetResumed: (d) =>
    `${d.key} resumed${d.auto ? ' automatically (resumeAt reached)' : d.resumedBy ? ` by ${d.resumedBy}${d.reason ? `: "${d.reason}"` : ''}` : ''}; next poll ${hms(d.nextPollAt)}`,
  TargetRemoved: (d) => `${d.key} removed`,
  PollRequested: (d) => `${d.key} poll requested by an operator`,
  TargetRedriven: (d) => `${d.key} redriven out of the dead-letter set (was ${d.previousReason}, ${d.retryCount} retries)`,
  BreakerReset: (d) => `breaker reset by hand for ${d.key} (was ${d.previousState})`,
  PollSucceeded: (d) => `${d.key} poll ok: ${d.statusCode ?? '-'} in ${d.durationMs} ms`,
  PollFailed: (d) =>
    `${d.key} poll failed: ${d.failureKind}${d.statusCode ? ` ${d.statusCode}` : ''} in ${d.durationMs} ms (${ordinal(d.consecutiveFailures)} in a row)`,
  PollSkipped: (d) => `${d.key} poll skipped: breaker open until ${hms(d.retryAt)}`,
  BreakerOpened: (d) => `breaker opened for ${d.key} until ${hms(d.retryAt)} (trip ${d.trips})`,
  BreakerHalfOpened: (d) => `breaker half-open for ${d.key}: one probe admitted`,
  BreakerClosed: (d) => `breaker closed for ${d.key}`,
  TargetDeadLettered: (d) => `${d.key} dead-lettered (${d.reason}); next retry ${hms(d.nextRetry)}`,
  DeadLetterRetryFailed: (d) => `${d.key} dead-letter retry ${d.retryCount} failed; next retry ${hms(d.nextRetry)}`,
  TargetRecovered: (d) => `${d.key} recovered: out of the dead-letter set (${d.reason}) after ${d.retryCount} retries`,
  FreshnessObjectiveSet: (d) => `${d.key} freshness objective ${d.previous ? 'changed' : 'set'}: ${freshnessText(d.objective)}`,
  FreshnessObjectiveCleared: (d) => `${d.key} freshness objective cleared (was ${freshnessText(d.previous)})`,
};

/** Registers every target event's summary with a summaries registry (src/timeline). */
export function registerTargetSummaries(registry: { register(type: string, fn: (e: RecordedEvent) => string): void }): void {
  for (const [type, fn] of Object.entries(TARGET_SUMMARIES)) registry.register(type, (e) => (fn as (d: unknown) => string)(e.data));
}
