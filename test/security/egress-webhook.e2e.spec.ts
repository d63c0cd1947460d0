import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { SharedCounters } from '../../src/metrics/shared-counters';
import { waitFor } from '../support/wait-for';
import { startTestApp, TestApp } from '../support/test-app';
import { CountingServer, MemoryLog, startCountingServer } from './support';

/** Alert webhooks (webhook subscriptions) go through the egress policy: one to a refused address is not delivered, but logged, counted and in the failures inbox. */
describe('alert webhooks to refused addresses (EGRESS_ALLOW unset)', () => {
  let t: TestApp;
  let s: CountingServer;
  const log = new MemoryLog();

  beforeAll(async () => {
    s = await startCountingServer();
    t = await startTestApp(
      {
        EGRESS_ALLOW: '',
        LOG_LEVEL: 'info',
        ALERT_EVAL_MS: '3600000', // evaluated by hand below
        ALERT_AUTH_FAILURES_THRESHOLD: '3',
        ALERT_WEBHOOK_URLS: `${s.base}/hook,http://localhost:${s.port}/hook,http://169.254.169.254/hook`,
        // One attempt each (no retries): each refusal is one failed delivery.
        WEBHOOK_RETRY_SCHEDULE_MS: 'none',
        WEBHOOK_POLL_MS: '50',
      },
      undefined,
      { logDestination: log },
    );
  });
  afterAll(async () => {
    await t.close();
    await s.close();
  });

  it('an alert fires, no delivery reaches a refused address, each refusal is a counted delivery failure', async () => {
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/api/auth/whoami', { token: 'olt_wrong' })).status).toBe(401);
    await t.app.get(SharedCounters).flush();
    const fired = await t.app.get(AlertEvaluator).evaluate();
    expect(fired.map((e) => e.data.rule)).toEqual(['auth_failures_spike']);

    const failures = await waitFor('three failed deliveries logged', async () => {
      const lines = log.lines().filter((l) => l.event === 'webhook.delivery_failed');
      return lines.length === 3 ? lines : null;
    });
    expect(failures.map((l) => `${l.errorKind}: ${l.error}`).sort()).toEqual([
      `blocked_by_policy: egress policy refused 127.0.0.1:${s.port} (loopback)`,
      'blocked_by_policy: egress policy refused 169.254.169.254:80 (link_local)',
      `blocked_by_policy: egress policy refused localhost:${s.port} (loopback)`,
    ]);
    expect(s.total()).toBe(0);
    const inbox = (await t.request('GET', '/api/webhooks/failures')).body.items;
    expect(inbox.map((i: { lastErrorKind: string; eventType: string }) => [i.lastErrorKind, i.eventType])).toEqual(
      Array(3).fill(['blocked_by_policy', 'AlertFired']),
    );
    expect(s.received).toEqual([]);
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/opsledger_webhook_delivery_failures_total\{service="opsledger"\} 3/);
    expect(metrics.body).toMatch(/opsledger_egress_refused_total\{reason="link_local",service="opsledger"\} 1/);
  });
});
