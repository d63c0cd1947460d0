import { BASELINE_RULES } from './alert-rules';
import { AlertSignals } from './alert-signals';
import { decideAlert, initialAlertState } from './alert.decider';

const t = { healthDegradedForMs: 120_000, backlogThreshold: 100, backlogForMs: 600_000, oldestReadyAgeSeconds: 300, webhookFailuresThreshold: 5, authFailuresThreshold: 20 };
const calm: AlertSignals = { health: { status: 'healthy', issues: [] }, queue: { pending: 3, deadLetter: 0, oldestReadyAgeSeconds: 2 }, cronProblems: [], webhookFailures: 0, authFailures: 0 };
const rule = (name: string) => BASELINE_RULES.find((r) => r.name === name)!;
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, s));

describe('alert decider', () => {
  it('has the seven baseline alerts of seed 002', () => {
    expect(BASELINE_RULES.map((r) => r.name)).toEqual(['health_degraded', 'queue_backlog', 'oldest_ready_age', 'dead_letter_nonzero', 'cron_failing', 'webhook_failures_spike', 'auth_failures_spike']);
  });

  it('given degraded health, when it has lasted less than 2 minutes, then it is pending and nothing fires', () => {
    const degraded = { ...calm, health: { status: 'degraded', issues: ['High disabled: 2/10 (20%)'] } };
    const first = decideAlert(rule('health_degraded'), degraded, t, initialAlertState, at(0));
    expect(first.events).toEqual([]);
    expect(first.state.pendingSince).toBe(at(0).toISOString());
    const later = decideAlert(rule('health_degraded'), degraded, t, first.state, new Date(at(0).getTime() + 119_000));
    expect(later.events).toEqual([]);
  });

  it('given degraded health for 2 minutes, then it fires once, and resolves when healthy again', () => {
    const degraded = { ...calm, health: { status: 'unhealthy', issues: ['Queue stuck'] } };
    const pending = decideAlert(rule('health_degraded'), degraded, t, initialAlertState, at(0)).state;
    const fired = decideAlert(rule('health_degraded'), degraded, t, pending, new Date(at(0).getTime() + 120_000));
    expect(fired.events).toEqual([{ type: 'AlertFired', data: { rule: 'health_degraded', summary: 'ops health is unhealthy: Queue stuck', value: 1, pendingSince: at(0).toISOString(), firedAt: new Date(at(0).getTime() + 120_000).toISOString() } }]);
    expect(decideAlert(rule('health_degraded'), degraded, t, fired.state, at(59)).events).toEqual([]);
    const resolved = decideAlert(rule('health_degraded'), calm, t, fired.state, new Date(at(0).getTime() + 300_000));
    expect(resolved.events[0]).toMatchObject({ type: 'AlertResolved', data: { rule: 'health_degraded', firedAt: fired.state.firedAt } });
    expect(resolved.state).toEqual(initialAlertState);
  });

  it('given a condition that clears while pending, then the pending time starts over', () => {
    const backlog = { ...calm, queue: { ...calm.queue, pending: 500 } };
    const p = decideAlert(rule('queue_backlog'), backlog, t, initialAlertState, at(0)).state;
    const cleared = decideAlert(rule('queue_backlog'), calm, t, p, at(30));
    expect(cleared).toEqual({ state: initialAlertState, events: [] });
  });

  it.each([
    ['oldest_ready_age', { queue: { pending: 1, deadLetter: 0, oldestReadyAgeSeconds: 301 } }, 301],
    ['dead_letter_nonzero', { queue: { pending: 0, deadLetter: 2, oldestReadyAgeSeconds: null } }, 2],
    ['cron_failing', { cronProblems: ['nightly-report: last run failed'] }, 1],
    ['webhook_failures_spike', { webhookFailures: 5 }, 5],
    ['auth_failures_spike', { authFailures: 20 }, 20],
  ])('given %s past its threshold, then it fires at once', (name, patch, value) => {
    const r = decideAlert(rule(name), { ...calm, ...patch } as AlertSignals, t, initialAlertState, at(0));
    expect(r.events).toEqual([expect.objectContaining({ type: 'AlertFired', data: expect.objectContaining({ rule: name, value }) })]);
  });

  it('given calm signals, then no rule fires', () => {
    for (const r of BASELINE_RULES) expect(decideAlert(r, calm, t, initialAlertState, at(0)).events).toEqual([]);
  });
});
