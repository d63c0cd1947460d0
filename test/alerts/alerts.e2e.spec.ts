import { createServer, Server } from 'node:http';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { WEBHOOK_FAILURE_COUNTER } from '../../src/alerts/webhook-failures';
import { SharedCounters } from '../../src/metrics/shared-counters';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';

// Wide enough that two deliveries on a loaded CI machine still fall in one window.
const SPIKE_WINDOW_MS = 10_000;

/** A real webhook receiver on 127.0.0.1 that records what it got and answers with `status`. */
async function receiver(status: number): Promise<{ url: string; received: any[]; close(): Promise<void> }> {
  const received: any[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
}

describe('baseline alerts', () => {
  let t: TestApp;
  let clock: TestClock;
  let ok: Awaited<ReturnType<typeof receiver>>;
  let broken: Awaited<ReturnType<typeof receiver>>;
  let broken2: Awaited<ReturnType<typeof receiver>>;
  /** Each test starts its own app, with the webhook receivers it names. */
  const start = async (...hooks: { url: string }[]) => {
    clock = TestClock.running();
    t = await startTestApp(
      {
        ALERT_EVAL_MS: '3600000', // evaluated by hand below
        ALERT_AUTH_FAILURES_THRESHOLD: '3',
        ALERT_WEBHOOK_FAILURES_THRESHOLD: '2',
        ALERT_SPIKE_WINDOW_MS: String(SPIKE_WINDOW_MS),
        ALERT_WEBHOOK_URLS: hooks.map((h) => h.url).join(','),
        // The alert webhooks are webhook subscriptions: no retries here, so each failed delivery is one failure.
        WEBHOOK_RETRY_SCHEDULE_MS: 'none',
        WEBHOOK_POLL_MS: '50',
      },
      undefined,
      { clock },
    );
    return t.app.get(AlertEvaluator);
  };
  const failLogins = async (n: number) => {
    for (let i = 0; i < n; i++) expect((await t.request('GET', '/api/auth/whoami', { token: 'olt_wrong' })).status).toBe(401);
    await t.app.get(SharedCounters).flush();
  };
  /** Two failing receivers, one auth spike: two failed deliveries, so webhook_failures_spike fires. */
  const fireWebhookSpike = async () => {
    const evaluator = await start(broken, broken2);
    await failLogins(3);
    expect((await evaluator.evaluate()).map((e) => e.data.rule)).toEqual(['auth_failures_spike']);
    const counters = t.app.get(SharedCounters);
    await waitFor('both failed deliveries counted', async () => (await counters.sum(WEBHOOK_FAILURE_COUNTER, SPIKE_WINDOW_MS)) === 2);
    await counters.flush();
    return evaluator.evaluate();
  };

  beforeEach(async () => {
    ok = await receiver(204);
    broken = await receiver(500);
    broken2 = await receiver(500);
  });
  afterEach(async () => {
    await t?.close();
    for (const r of [ok, broken, broken2]) await r.close();
  });

  it('fires auth_failures_spike on failed logins, notifies the ALERT_WEBHOOK_URLS subscriptions, and resolves when the spike passes', async () => {
    const evaluator = await start(ok, broken);
    await failLogins(3);
    const fired = await evaluator.evaluate();
    expect(fired.map((e) => [e.type, e.data.rule])).toEqual([['AlertFired', 'auth_failures_spike']]);
    await waitFor('both receivers got the firing', () => ok.received.length >= 1 && broken.received.length >= 1);
    expect(ok.received).toEqual([expect.objectContaining({ type: 'AlertFired', data: expect.objectContaining({ rule: 'auth_failures_spike', value: 3 }) })]);
    expect(broken.received).toHaveLength(1); // delivered, answered 500: counted as a failure

    // Still firing: nothing new.
    expect(await evaluator.evaluate()).toEqual([]);

    clock.advance(SPIKE_WINDOW_MS + 200); // the spike window passes
    const resolved = await evaluator.evaluate();
    expect(resolved.map((e) => [e.type, e.data.rule])).toContainEqual(['AlertResolved', 'auth_failures_spike']);
    await waitFor('the ok receiver got the resolution', () => ok.received.length >= 2);
    expect(ok.received.map((r) => r.type)).toEqual(['AlertFired', 'AlertResolved']);

    const stream = await t.db.pool.query(`SELECT type FROM events WHERE stream_id = 'alert-auth_failures_spike' ORDER BY revision`);
    expect(stream.rows.map((r) => r.type)).toEqual(['AlertFired', 'AlertResolved']);
  });

  it('fires webhook_failures_spike when deliveries keep failing', async () => {
    const fired = await fireWebhookSpike();
    expect(fired.map((e) => e.data.rule)).toContain('webhook_failures_spike');
  });

  it('lists every rule (baseline and SLO burn) with its state', async () => {
    await fireWebhookSpike();
    const res = await waitFor('GET /api/alerts shows webhook_failures_spike firing', async () => {
      const r = await t.request('GET', '/api/alerts');
      return r.body.alerts?.find((a: any) => a.rule === 'webhook_failures_spike')?.state === 'firing' && r;
    });
    expect(res.status).toBe(200);
    expect(res.body.alerts.map((a: { rule: string }) => a.rule)).toHaveLength(9); // the seven baseline rules and slo_fast_burn, slo_slow_burn
    expect(res.body.alerts.find((a: any) => a.rule === 'webhook_failures_spike')).toMatchObject({ state: 'firing', timesFired: 1 });
    expect(res.body.alerts.find((a: any) => a.rule === 'dead_letter_nonzero')).toMatchObject({ state: 'ok', timesFired: 0 });
  });
});
