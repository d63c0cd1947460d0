import { spec } from '../../test/support/given';
import { ALERT_RULES, BASELINE_RULES, SLO_BURN_RULES } from './alert-rules';
import { AlertSignals } from './alert-signals';
import { alertDecider, alertEvaluation, initialAlertState } from './alert.decider';
import type { AlertEvent } from './alert.events';

const t = {
  healthDegradedForMs: 120_000,
  backlogThreshold: 100,
  backlogForMs: 600_000,
  oldestReadyAgeSeconds: 300,
  webhookFailuresThreshold: 5,
  authFailuresThreshold: 20,
  sloFastBurnRate: 14.4,
  sloFastBurnWindowsSeconds: [3600, 300] as const,
  sloSlowBurnRate: 6,
  sloSlowBurnWindowsSeconds: [21_600, 1800] as const,
};
const calm: AlertSignals = {
  health: { status: 'healthy', issues: [] },
  queue: { pending: 3, deadLetter: 0, oldestReadyAgeSeconds: 2 },
  cronProblems: [],
  webhookFailures: 0,
  authFailures: 0,
  sloBurn: [{ target: 'svc::calm', fast: [1, 1], slow: [1, 1] }],
};
const rule = (name: string) => ALERT_RULES.find((r) => r.name === name)!;
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, s));
/** The evaluation the evaluator makes: `pendingSince` is what it remembers from the last one. */
const evaluate = (name: string, signals: AlertSignals, now: Date, pendingSince: string | null = null) =>
  alertEvaluation(rule(name), signals, t, pendingSince, now);

const { given } = spec(alertDecider);

describe('alert decider', () => {
  it('has the seven baseline alerts and the freshness burn-rate pair, each with its severity', () => {
    expect(BASELINE_RULES.map((r) => r.name)).toEqual([
      'health_degraded',
      'queue_backlog',
      'oldest_ready_age',
      'dead_letter_nonzero',
      'cron_failing',
      'webhook_failures_spike',
      'auth_failures_spike',
    ]);
    expect(ALERT_RULES.map((r) => [r.name, r.severity])).toEqual([
      ...BASELINE_RULES.map((r) => [r.name, r.name === 'cron_failing' ? 'critical' : 'warning']),
      ['slo_fast_burn', 'page'],
      ['slo_slow_burn', 'ticket'],
    ]);
  });

  it('given a freshness objective burning over both windows of a pair, then that pair fires; over one window only, nothing', () => {
    const burning = (fast: [number, number], slow: [number, number]): AlertSignals => ({
      ...calm,
      sloBurn: [...calm.sloBurn, { target: 'svc::eu-1', fast, slow }],
    });
    given()
      .when(evaluate('slo_fast_burn', burning([20, 15], [20, 15]), at(0)))
      .then([
        expect.objectContaining({
          type: 'AlertFired',
          data: expect.objectContaining({
            rule: 'slo_fast_burn',
            value: 1,
            summary: 'svc::eu-1 burns 20.0× over 1h and 15.0× over 5m (limit 14.4×; GET /api/slo)',
          }),
        }),
      ]);
    given()
      .when(evaluate('slo_slow_burn', burning([20, 15], [7, 6.5]), at(0)))
      .then([expect.objectContaining({ type: 'AlertFired', data: expect.objectContaining({ rule: 'slo_slow_burn', value: 1 }) })]);
    // A burst that is over (short window calm) or too short to matter yet (long window calm) pages nobody.
    given()
      .when(evaluate('slo_fast_burn', burning([20, 2], [1, 1]), at(0)))
      .then([]);
    given()
      .when(evaluate('slo_fast_burn', burning([3, 100], [1, 1]), at(0)))
      .then([]);
    given()
      .when(evaluate('slo_slow_burn', burning([5.9, 100], [6, 100]), at(0)))
      .then([]);
    const resolved = given({
      type: 'AlertFired',
      data: { rule: 'slo_fast_burn', summary: '', value: 1, pendingSince: at(0).toISOString(), firedAt: at(0).toISOString() },
    }).when(evaluate('slo_fast_burn', burning([20, 2], [1, 1]), at(60)));
    resolved.then([
      expect.objectContaining({
        type: 'AlertResolved',
        data: expect.objectContaining({ summary: 'no freshness objective burns faster than 14.4× over 1h and 5m', value: 0 }),
      }),
    ]);
    expect(SLO_BURN_RULES).toHaveLength(2);
  });

  it('given degraded health, when it has lasted less than 2 minutes, then it is pending and nothing fires', () => {
    const degraded = { ...calm, health: { status: 'degraded', issues: ['High disabled: 2/10 (20%)'] } };
    const first = evaluate('health_degraded', degraded, at(0));
    given().when(first).then([]);
    expect(first.pendingSince).toBe(at(0).toISOString());
    given()
      .when(evaluate('health_degraded', degraded, new Date(at(0).getTime() + 119_000), first.pendingSince))
      .then([]);
  });

  it('given degraded health for 2 minutes, then it fires once, and resolves when healthy again', () => {
    const degraded = { ...calm, health: { status: 'unhealthy', issues: ['Queue stuck'] } };
    const pending = evaluate('health_degraded', degraded, at(0)).pendingSince;
    const fired: AlertEvent = {
      type: 'AlertFired',
      data: {
        rule: 'health_degraded',
        summary: 'ops health is unhealthy: Queue stuck',
        value: 1,
        pendingSince: at(0).toISOString(),
        firedAt: new Date(at(0).getTime() + 120_000).toISOString(),
      },
    };
    given()
      .when(evaluate('health_degraded', degraded, new Date(at(0).getTime() + 120_000), pending))
      .then([fired]);
    given(fired)
      .when(evaluate('health_degraded', degraded, at(59), pending))
      .then([]);
    const resolved = given(fired).when(evaluate('health_degraded', calm, new Date(at(0).getTime() + 300_000), pending));
    resolved.then([{ type: 'AlertResolved', data: expect.objectContaining({ rule: 'health_degraded', firedAt: fired.data.firedAt }) }]);
    expect(resolved.state()).toEqual(initialAlertState);
  });

  it('given a condition that clears while pending, then the pending time starts over', () => {
    const backlog = { ...calm, queue: { ...calm.queue, pending: 500 } };
    const p = evaluate('queue_backlog', backlog, at(0)).pendingSince;
    const cleared = evaluate('queue_backlog', calm, at(30), p);
    given().when(cleared).then([]);
    expect(cleared.pendingSince).toBeNull();
    expect(evaluate('queue_backlog', backlog, at(40), cleared.pendingSince).pendingSince).toBe(at(40).toISOString());
  });

  it.each([
    ['oldest_ready_age', { queue: { pending: 1, deadLetter: 0, oldestReadyAgeSeconds: 301 } }, 301],
    ['dead_letter_nonzero', { queue: { pending: 0, deadLetter: 2, oldestReadyAgeSeconds: null } }, 2],
    ['cron_failing', { cronProblems: ['nightly-report: last run failed'] }, 1],
    ['webhook_failures_spike', { webhookFailures: 5 }, 5],
    ['auth_failures_spike', { authFailures: 20 }, 20],
  ])('given %s past its threshold, then it fires at once', (name, patch, value) => {
    given()
      .when(evaluate(name, { ...calm, ...patch } as AlertSignals, at(0)))
      .then([expect.objectContaining({ type: 'AlertFired', data: expect.objectContaining({ rule: name, value }) })]);
  });

  it('given calm signals, then no rule fires', () => {
    for (const r of ALERT_RULES)
      given()
        .when(evaluate(r.name, calm, at(0)))
        .then([]);
  });
});
