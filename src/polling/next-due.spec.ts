import type { TargetEvent } from './events/target.events';
import { dueMs, nextDueMs, policyAdmits } from './next-due';
import { evolveTarget, TargetState } from './target.state';

const t0 = Date.parse('2025-10-20T13:00:00.000Z');
const iso = (ms: number) => new Date(t0 + ms).toISOString();
const key = 'instance::eu-1';
const spec = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } };
const fold = (...events: TargetEvent[]) => events.reduce<TargetState | null>(evolveTarget, null)!;

const registered: TargetEvent = { type: 'TargetRegistered', data: { key, spec, source: 'api', at: iso(0) } };
const opened: TargetEvent = { type: 'BreakerOpened', data: { key, since: iso(10), lastTransition: iso(10), retryAt: iso(5_000), failureCount: 5, trips: 1 } };
const deadLettered: TargetEvent = {
  type: 'TargetDeadLettered',
  data: { key, at: iso(10), reason: 'permanent_failure', firstAttempt: iso(10), lastAttempt: iso(10), retryCount: 0, nextRetry: iso(300_000) },
};
const requested: TargetEvent = { type: 'PollRequested', data: { key, at: iso(20) } };
const paused: TargetEvent = { type: 'TargetPaused', data: { key, at: iso(30) } };

describe('next due time', () => {
  it('a registered target is due at once (its registration time)', () => {
    expect(nextDueMs(fold(registered))).toBe(t0);
  });

  it('a dead-lettered target is due at its next retry, whatever nextDueMs says', () => {
    expect(nextDueMs(fold(registered, deadLettered))).toBe(t0 + 300_000);
  });

  it('a forced probe is due at its request time, even dead-lettered or behind an open breaker', () => {
    expect(nextDueMs(fold(registered, deadLettered, requested))).toBe(t0 + 20);
    expect(nextDueMs(fold(registered, opened, requested))).toBe(t0 + 20);
  });

  it('a paused target is not due; its due time (the API shows it) is still known', () => {
    const s = fold(registered, deadLettered, paused);
    expect(nextDueMs(s)).toBeNull();
    expect(dueMs(s)).toBe(t0 + 300_000);
    expect(nextDueMs(null)).toBeNull();
  });

  it('the policy admits a forced probe at once, a dead-lettered one from its retry, an open breaker from its retryAt', () => {
    expect(policyAdmits(fold(registered, opened), new Date(t0 + 4_999))).toBe(false);
    expect(policyAdmits(fold(registered, opened), new Date(t0 + 5_000))).toBe(true);
    expect(policyAdmits(fold(registered, opened, requested), new Date(t0 + 20))).toBe(true);
    expect(policyAdmits(fold(registered, opened, requested), new Date(t0 + 20), false)).toBe(false);
    expect(policyAdmits(fold(registered, deadLettered), new Date(t0 + 299_999))).toBe(false);
    expect(policyAdmits(fold(registered, deadLettered), new Date(t0 + 300_000))).toBe(true);
  });
});
