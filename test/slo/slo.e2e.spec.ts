import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';
import { waitForProjections } from '../support/wait-for-projections';

/**
 * A freshness objective over a scripted history with a known answer: the real app polls a real
 * HTTP server on 127.0.0.1 every 60 s of an injected clock the test moves one poll at a time. The
 * server answers 200, then 500 for ten polls, then 200 again. Every figure below is worked out by
 * hand from that script.
 */
describe('freshness objectives (real app, real HTTP target, scripted clock)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let clock: TestClock;
  // An hour ahead of real time: every event is recorded (by PostgreSQL's clock) before any scripted instant, so `?at=` accepts them.
  const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;
  const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
  const FLAKY = 'svc::flaky';
  const STEADY = 'svc::steady';
  const PLAIN = 'svc::plain';
  const objective = { objective: 99, maxAgeSeconds: 150, window: '7d' };
  const eventCount = async () => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
  const pollsAt = async (seconds: number) =>
    (
      await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type IN ('PollSucceeded', 'PollFailed') AND data->>'at' = $1`, [
        iso(seconds),
      ])
    ).rows[0].n;
  /** Moves the clock to `seconds` after T0 and waits for the three targets' polls due then. */
  const pollTo = async (seconds: number) => {
    clock.set(T0 + seconds * 1000);
    await waitFor(`the polls at T0+${seconds}s`, async () => (await pollsAt(seconds)) === 3, 15_000, 10);
  };
  const slo = (key: string, at?: number) => t.request('GET', `/api/targets/${key}/slo${at === undefined ? '' : `?at=${encodeURIComponent(iso(at))}`}`);
  /** The burn-rate pair's transitions of one evaluation (other rules see a scripted clock with no heartbeats: not this test's business). */
  const evaluate = async () =>
    (await t.app.get(AlertEvaluator).evaluate()).filter((e) => e.data.rule.startsWith('slo_')).map((e) => `${e.type} ${e.data.rule}`);

  beforeAll(async () => {
    s = await startFlakyServer();
    clock = TestClock.stopped(T0);
    t = await startTestApp(
      {
        SCHEDULER_TICK_MS: '20',
        QUIET_HOURS: 'off',
        POLL_TIMEOUT_MS: '2000',
        // Neither the breaker nor the dead-letter set shifts the script's poll times.
        BREAKER_FAILURE_THRESHOLD: '1000',
        DEAD_LETTER_STREAK: '1000',
        ALERT_EVAL_MS: '3600000', // evaluated by hand below
      },
      undefined,
      { clock },
    );
    const register = (name: string, path: string, freshness?: unknown) =>
      t.request('POST', '/api/targets', {
        body: { type: 'svc', name, probe: { kind: 'http', url: `${s.base}${path}` }, intervalSeconds: 60, adaptive: false, freshness, reason: 'slo test' },
      });
    expect((await register('flaky', '/switch/flaky', objective)).status).toBe(201);
    expect((await register('steady', '/ok', { objective: 99.9, maxAgeSeconds: 120, window: '30d' })).status).toBe(201);
    expect((await register('plain', '/ok')).status).toBe(201);
    await waitFor('the first polls at T0', async () => (await pollsAt(0)) === 3);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('refuses a bad objective with a 400 naming the field, and appends nothing', async () => {
    const before = await eventCount();
    const put = (body: unknown, key = STEADY) => t.request('PUT', `/api/targets/${key}/slo`, { body });
    const cases: [unknown, string, RegExp][] = [
      [{ ...objective, objective: 100, reason: 'x' }, 'objective', /more than 0 and less than 100/],
      [{ ...objective, objective: 0, reason: 'x' }, 'objective', /more than 0 and less than 100/],
      [{ ...objective, objective: '99', reason: 'x' }, 'objective', /number/],
      [{ ...objective, maxAgeSeconds: 59, reason: 'x' }, 'maxAgeSeconds', /not be less than 60/],
      [{ ...objective, maxAgeSeconds: 86_401, reason: 'x' }, 'maxAgeSeconds', /not be greater than 86400/],
      [{ ...objective, maxAgeSeconds: 90.5, reason: 'x' }, 'maxAgeSeconds', /integer/],
      [{ ...objective, window: '14d', reason: 'x' }, 'window', /7d, 30d/],
      [{ ...objective }, 'reason', /required|string/],
      // A fixed 60 s interval can never be fresher than 60 s.
      [{ ...objective, maxAgeSeconds: 60, reason: 'x' }, 'maxAgeSeconds', /more than the fixed poll interval \(60 s\)/],
    ];
    for (const [body, field, problem] of cases) {
      const res = await put(body);
      expect([res.status, [...new Set(res.body.fields?.map((f: { field: string }) => f.field))]]).toEqual([400, [field]]);
      expect(res.body.message).toMatch(problem);
    }
    const create = await t.request('POST', '/api/targets', {
      body: { type: 'svc', name: 'bad', probe: { kind: 'http', url: `${s.base}/ok` }, freshness: { ...objective, window: '1y' } },
    });
    expect([create.status, create.body.fields?.[0]?.field]).toEqual([400, 'freshness.window']);
    expect((await put({ ...objective, reason: 'x' }, 'svc::nope')).status).toBe(404);
    expect((await t.request('DELETE', `/api/targets/${PLAIN}/slo`, { body: { reason: 'x' } })).body).toMatchObject({
      statusCode: 404,
      message: `target ${PLAIN} has no freshness objective`,
    });
    expect(await eventCount()).toBe(before);
    expect((await slo(PLAIN)).status).toBe(404);
  });

  it('computes attainment, error budget and burn rates of a scripted outage, live and with ?at=, and fires then resolves the burn-rate alerts', async () => {
    // Polls every 60 s: 200 up to T0+600, 500 from T0+660 to T0+1200, 200 again from T0+1260.
    for (let k = 1; k <= 15; k++) {
      if (k === 11) s.modes.set('flaky', '500');
      await pollTo(k * 60);
    }
    await waitForProjections(t);
    // At T0+900: stale since 600 + 150 = 750, i.e. 150 s of 900 measured.
    const during = await slo(FLAKY);
    expect(during.status).toBe(200);
    expect(during.headers.get('x-opsledger-as-of')).toBe(iso(900));
    expect(during.body).toEqual({
      key: FLAKY,
      tenant: null,
      objective,
      at: iso(900),
      window: { from: iso(0), to: iso(900), measuredSeconds: 900, pausedSeconds: 0, maintenanceSeconds: 0, staleSeconds: 150 },
      attainment: 83.3333, // 1 − 150 / 900
      errorBudget: { totalSeconds: 9, usedSeconds: 150, leftSeconds: -141, usedPercent: 1666.6667, leftPercent: -1566.6667 },
      // 5 m [600, 900]: 150 s of 300 stale = 50 % against 1 % allowed; the longer windows hold all 900 s: 150 / 900 / 1 %.
      burnRates: { '5m': 50, '30m': 16.667, '1h': 16.667, '6h': 16.667 },
      alerts: { fastBurn: true, slowBurn: true },
      freshness: { state: 'stale', lastSuccessAt: iso(600), ageSeconds: 300, staleSince: iso(750) },
    });
    expect(await evaluate()).toEqual(['AlertFired slo_fast_burn', 'AlertFired slo_slow_burn']);
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/opsledger_slo_burn_rate\{target="svc::flaky",tenant="",window="5m",service="opsledger"\} 50\n/);
    expect(metrics.body).toMatch(/opsledger_slo_stale\{target="svc::flaky",tenant="",service="opsledger"\} 1\n/);

    for (let k = 16; k <= 30; k++) {
      if (k === 21) s.modes.set('flaky', 'ok');
      await pollTo(k * 60);
    }
    await waitForProjections(t);
    // At T0+1800: the outage made 1260 − 750 = 510 s stale of 1800; the last 5 minutes are clean.
    const after = await slo(FLAKY);
    expect(after.body).toMatchObject({
      window: { from: iso(0), to: iso(1800), measuredSeconds: 1800, pausedSeconds: 0, staleSeconds: 510 },
      attainment: 71.6667,
      errorBudget: { totalSeconds: 18, usedSeconds: 510, leftSeconds: -492, usedPercent: 2833.3333, leftPercent: -2733.3333 },
      burnRates: { '5m': 0, '30m': 28.333, '1h': 28.333, '6h': 28.333 },
      alerts: { fastBurn: false, slowBurn: true },
      freshness: { state: 'fresh', lastSuccessAt: iso(1800), ageSeconds: 0, staleSince: null },
    });
    expect(await evaluate()).toEqual(['AlertResolved slo_fast_burn']);

    // Worst first: the flaky target's budget is overspent, the steady one's untouched; the target without an objective is not listed.
    const list = await t.request('GET', '/api/slo');
    expect(list.body.targets.map((x: { key: string; errorBudget: { leftPercent: number } }) => [x.key, x.errorBudget.leftPercent])).toEqual([
      [FLAKY, -2733.3333],
      [STEADY, 100],
    ]);
    expect(list.body.targets[0]).toEqual(after.body);

    // Thirty more clean minutes: the 30 m window is clean again, so the slow burn resolves.
    for (let k = 31; k <= 52; k++) await pollTo(k * 60);
    await waitForProjections(t);
    expect((await slo(FLAKY)).body.burnRates).toEqual({ '5m': 0, '30m': 0, '1h': 16.346, '6h': 16.346 }); // 510 / 3120 / 1 %
    expect(await evaluate()).toEqual(['AlertResolved slo_slow_burn']);

    // ?at= gives the answers of those instants again, from the log.
    const atDuring = await slo(FLAKY, 900);
    expect([atDuring.status, atDuring.headers.get('x-opsledger-as-of')]).toEqual([200, iso(900)]);
    expect(atDuring.body).toEqual(during.body);
    expect((await slo(FLAKY, 1800)).body).toEqual(after.body);
    const listThen = await t.request('GET', `/api/slo?at=${encodeURIComponent(iso(1800))}`);
    expect(listThen.body).toEqual(list.body);
    expect((await t.request('GET', `/api/targets/${FLAKY}/slo?at=yesterday`)).body.fields).toEqual([
      { field: 'at', problem: expect.stringMatching(/RFC 3339/) },
    ]);
  }, 120_000);

  it('sets, changes and clears an objective as audited operator actions', async () => {
    const tighter = { objective: 99.9, maxAgeSeconds: 600, window: '30d' };
    const set = await t.request('PUT', `/api/targets/${PLAIN}/slo`, { body: { ...tighter, reason: 'the dashboard promises 10 minutes' } });
    expect(set.body).toEqual({ key: PLAIN, freshness: tighter, events: ['FreshnessObjectiveSet'] });
    const again = await t.request('PUT', `/api/targets/${PLAIN}/slo`, { body: { ...tighter, reason: 'again' } });
    expect(again.body.events).toEqual([]);
    await waitForProjections(t);
    expect((await t.request('GET', `/api/targets/${PLAIN}`)).body.freshness).toEqual(tighter);
    // The objective judges the history already recorded: the target has been fresh since T0.
    expect((await slo(PLAIN)).body).toMatchObject({ objective: tighter, attainment: 100, window: { staleSeconds: 0 } });
    const cleared = await t.request('DELETE', `/api/targets/${PLAIN}/slo`, { body: { reason: 'retired from the dashboard' } });
    expect(cleared.body).toEqual({ key: PLAIN, freshness: null, events: ['FreshnessObjectiveCleared'] });
    await waitForProjections(t);
    expect((await slo(PLAIN)).status).toBe(404);
    const audit = await t.request('GET', `/api/audit?limit=500&target=${encodeURIComponent(`target:${PLAIN}`)}`);
    const mine = audit.body.items.filter((e: { target: string }) => e.target === `target:${PLAIN}`);
    expect(mine.map((e: { action: string; reason: string }) => [e.action, e.reason])).toEqual(
      expect.arrayContaining([
        ['target.set_freshness_objective', 'the dashboard promises 10 minutes'],
        ['target.clear_freshness_objective', 'retired from the dashboard'],
      ]),
    );
    const types = await t.db.pool.query(`SELECT type FROM events WHERE stream_id = $1 AND type LIKE 'Freshness%' ORDER BY revision`, [`target-${PLAIN}`]);
    expect(types.rows.map((r) => r.type)).toEqual(['FreshnessObjectiveSet', 'FreshnessObjectiveCleared']);
  });
});
