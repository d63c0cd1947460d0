import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';

const DEGRADED_FOR_MS = 600;

/** Value of one sample in Prometheus text, matched by name and a subset of its labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return null;
}

describe('polling metrics and the health_degraded alert (real app, real HTTP targets)', () => {
  let t: TestApp;
  let s: FlakyServer;
  const scrape = async () => {
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    return res.body as string;
  };
  const healthDegraded = (evs: { type: string; data: { rule: string } }[]) => evs.filter((e) => e.data.rule === 'health_degraded').map((e) => e.type);

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({
      ...FAST_POLLING_ENV,
      DEAD_LETTER_RETRY_SCHEDULE: '600',
      ALERT_EVAL_MS: '3600000',
      ALERT_HEALTH_DEGRADED_FOR_MS: String(DEGRADED_FOR_MS),
    });
    for (let i = 0; i < 10; i++) {
      s.modes.set(`n${i}`, 'ok');
      const res = await t.request('POST', '/api/targets', {
        body: { type: 'svc', name: `n${i}`, probe: { kind: 'http', url: `${s.base}/switch/n${i}` }, intervalSeconds: 0.3, adaptive: false },
      });
      expect(res.status).toBe(201);
    }
    await waitFor('all healthy', async () => (await t.request('GET', '/api/ops/health', { token: null })).body.coverage.healthy === 10);
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('exports ops health status, breakers and targets by state, poll outcomes and durations', async () => {
    const m = await scrape();
    expect(sample(m, 'opsledger_ops_health_status')).toBe(0);
    expect(sample(m, 'opsledger_targets', { state: 'total' })).toBe(10);
    expect(sample(m, 'opsledger_targets', { state: 'healthy' })).toBe(10);
    expect(sample(m, 'opsledger_targets', { state: 'dead_lettered' })).toBe(0);
    expect(sample(m, 'opsledger_targets', { state: 'paused' })).toBe(0);
    expect(sample(m, 'opsledger_breakers', { state: 'closed' })).toBe(10);
    expect(sample(m, 'opsledger_breakers', { state: 'open' })).toBe(0);
    const ok = sample(m, 'opsledger_polls_total', { outcome: 'succeeded' })!;
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(sample(m, 'opsledger_poll_duration_seconds_count', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(ok);
    expect(m).toContain('# TYPE opsledger_poll_duration_seconds histogram');
  });

  it('fires health_degraded when more than 10 % of targets stay dead-lettered past the `for` time, and resolves after recovery', async () => {
    const evaluator = t.app.get(AlertEvaluator);
    expect(healthDegraded(await evaluator.evaluate())).toEqual([]);
    s.modes.set('n0', '401');
    s.modes.set('n1', '401');
    await waitFor('degraded', async () => (await t.request('GET', '/api/ops/health', { token: null })).body.status === 'degraded');

    const m = await scrape();
    expect(sample(m, 'opsledger_ops_health_status')).toBe(1);
    expect(sample(m, 'opsledger_targets', { state: 'dead_lettered' })).toBe(2);
    expect(sample(m, 'opsledger_polls_total', { outcome: 'failed', failure_kind: 'http_4xx' })).toBeGreaterThanOrEqual(2);

    // Pending: degraded, but not yet for DEGRADED_FOR_MS.
    const pendingSince = Date.now();
    expect(healthDegraded(await evaluator.evaluate())).toEqual([]);
    const fired = await waitFor('health_degraded to fire', async () => {
      const evs = (await evaluator.evaluate()).filter((e) => e.data.rule === 'health_degraded');
      return evs.length ? evs : null;
    });
    expect(Date.now() - pendingSince).toBeGreaterThanOrEqual(DEGRADED_FOR_MS); // not before its `for` time
    expect(fired.map((e) => e.type)).toEqual(['AlertFired']);
    expect(fired[0].data.summary).toContain('High disabled: 2/10 (20%)');

    s.modes.set('n0', 'ok');
    s.modes.set('n1', 'ok');
    for (const k of ['svc::n0', 'svc::n1']) expect((await t.request('POST', `/api/targets/${k}/redrive`, { body: { reason: 'fixed' } })).status).toBe(202);
    await waitFor('healthy again', async () => (await t.request('GET', '/api/ops/health', { token: null })).body.status === 'healthy');
    expect(healthDegraded(await evaluator.evaluate())).toEqual(['AlertResolved']);
    expect(sample(await scrape(), 'opsledger_ops_health_status')).toBe(0);
    const stream = await t.db.pool.query(`SELECT type FROM events WHERE stream_id = 'alert-health_degraded' ORDER BY revision`);
    expect(stream.rows.map((r) => r.type)).toEqual(['AlertFired', 'AlertResolved']);
  });
});
