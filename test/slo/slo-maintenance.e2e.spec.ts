import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { MaintenanceWindowLoop } from '../../src/maintenance/maintenance-window.loop';
import { FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';
import { waitForProjections } from '../support/wait-for-projections';

/**
 * A tenant's planned maintenance does not spend its targets' error budgets (docs/adr/0014, amended).
 * The real app polls a real HTTP server on 127.0.0.1 every 60 s of an injected clock the test moves
 * one poll at a time. acme schedules a window [T0+600, T0+1500); its backend is down from T0+600
 * and stays down two minutes past the window (T0+1500 and T0+1560 fail, T0+1620 succeeds). The
 * window holds acme's polls, so its target's last success before it is T0+540: without the
 * exclusion it would be stale from T0+690 to T0+1620 (930 s) and page. globex, not in
 * maintenance, is polled all along. Every figure below is worked out by hand from that script.
 */
describe('freshness objectives exclude a tenant’s maintenance window (real app, real HTTP target, scripted clock)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let clock: TestClock;
  // An hour ahead of real time: every event is recorded (by PostgreSQL's clock) before any scripted instant, so `?at=` accepts them.
  const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;
  const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
  const ACME = 'svc::acme-web';
  const GLOBEX = 'svc::globex-web';
  const objective = { objective: 99, maxAgeSeconds: 150, window: '7d' };
  const pollsAt = async (seconds: number, key?: string) =>
    (
      await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE type IN ('PollSucceeded', 'PollFailed') AND data->>'at' = $1 AND ($2::text IS NULL OR data->>'key' = $2)`,
        [iso(seconds), key ?? null],
      )
    ).rows[0].n;
  /** Moves the clock to `seconds` after T0 and waits for the polls due then: both targets', or globex's alone while acme is held. */
  const pollTo = async (seconds: number) => {
    clock.set(T0 + seconds * 1000);
    const expected = seconds >= 600 && seconds < 1500 ? 1 : 2;
    await waitFor(`${expected} poll(s) at T0+${seconds}s`, async () => (await pollsAt(seconds)) === expected, 15_000, 10);
  };
  const slo = (key: string, at?: number) => t.request('GET', `/api/targets/${key}/slo${at === undefined ? '' : `?at=${encodeURIComponent(iso(at))}`}`);
  /** The burn-rate pair's transitions of one evaluation (other rules see a scripted clock with no heartbeats: not this test's business). */
  const evaluate = async () =>
    (await t.app.get(AlertEvaluator).evaluate()).filter((e) => e.data.rule.startsWith('slo_')).map((e) => `${e.type} ${e.data.rule}`);
  const maintenanceEvents = async () =>
    (await t.db.pool.query<{ type: string }>(`SELECT type FROM events WHERE stream_id = 'maintenance-acme' ORDER BY position`)).rows.map((r) => r.type);

  beforeAll(async () => {
    s = await startFlakyServer();
    clock = TestClock.stopped(T0);
    t = await startTestApp(
      {
        SCHEDULER_TICK_MS: '20',
        QUIET_HOURS: 'off',
        POLL_TIMEOUT_MS: '2000',
        BREAKER_FAILURE_THRESHOLD: '1000',
        DEAD_LETTER_STREAK: '1000',
        ALERT_EVAL_MS: '3600000', // evaluated by hand below
        MAINTENANCE_SWEEP_MS: '3600000', // the window loop records the opening and closing only when the test asks
      },
      undefined,
      { clock },
    );
    const register = (name: string, tenant: string) =>
      t.request('POST', '/api/targets', {
        body: {
          type: 'svc',
          name,
          tenant,
          probe: { kind: 'http', url: `${s.base}/switch/${name}` },
          intervalSeconds: 60,
          adaptive: false,
          freshness: objective,
          reason: 'slo maintenance test',
        },
      });
    expect((await register('acme-web', 'acme')).status).toBe(201);
    expect((await register('globex-web', 'globex')).status).toBe(201);
    await waitFor('the first polls at T0', async () => (await pollsAt(0)) === 2);
    const put = await t.request('PUT', '/api/tenants/acme/maintenance', {
      body: { mode: 'offline', banner: 'Upgrading the acme shard', startsAt: iso(600), endsAt: iso(1500), reason: 'PostgreSQL upgrade' },
    });
    expect(put.status).toBe(200);
    expect(await maintenanceEvents()).toEqual(['MaintenanceScheduled']);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('holds acme’s target through the window without spending its budget or paging; ?at= agrees with the live answers', async () => {
    for (let k = 1; k <= 20; k++) {
      if (k === 10) s.modes.set('acme-web', '500'); // the backend goes down for the maintenance
      await pollTo(k * 60);
    }
    await waitForProjections(t);
    // The window opened by the clock: held since T0+600, the opening not recorded yet (the window loop has not swept).
    expect(await pollsAt(600, ACME)).toBe(0);
    expect(await maintenanceEvents()).toEqual(['MaintenanceScheduled']);
    // At T0+1200: [600, 1200) in maintenance, [0, 600) measured and fresh (the window began before 540 + 150).
    const during = await slo(ACME);
    expect(during.body).toEqual({
      key: ACME,
      tenant: 'acme',
      objective,
      at: iso(1200),
      window: { from: iso(0), to: iso(1200), measuredSeconds: 600, pausedSeconds: 0, maintenanceSeconds: 600, staleSeconds: 0 },
      attainment: 100,
      errorBudget: { totalSeconds: 6, usedSeconds: 0, leftSeconds: 6, usedPercent: 0, leftPercent: 100 },
      burnRates: { '5m': 0, '30m': 0, '1h': 0, '6h': 0 },
      alerts: { fastBurn: false, slowBurn: false },
      freshness: { state: 'maintenance', lastSuccessAt: iso(540), ageSeconds: 660, staleSince: null },
    });
    expect(await evaluate()).toEqual([]);
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/opsledger_slo_burn_rate\{target="svc::acme-web",tenant="acme",window="5m",service="opsledger"\} 0\n/);
    expect(metrics.body).toMatch(/opsledger_slo_stale\{target="svc::acme-web",tenant="acme",service="opsledger"\} 0\n/);
    // globex was never in maintenance: every second measured.
    expect((await slo(GLOBEX)).body).toMatchObject({ window: { measuredSeconds: 1200, maintenanceSeconds: 0, staleSeconds: 0 }, attainment: 100 });

    // The window closes at T0+1500; the backend is back only at T0+1620.
    for (let k = 21; k <= 30; k++) {
      if (k === 27) s.modes.set('acme-web', 'ok');
      await pollTo(k * 60);
    }
    await waitForProjections(t);
    const failed = await t.db.pool.query<{ at: string }>(
      `SELECT data->>'at' AS at FROM events WHERE type = 'PollFailed' AND data->>'key' = $1 ORDER BY position`,
      [ACME],
    );
    expect(failed.rows.map((r) => r.at)).toEqual([iso(1500), iso(1560)]);
    // At T0+1800: the age started over at 1500 and the success at 1620 came before 1500 + 150: never stale.
    const after = await slo(ACME);
    expect(after.body).toMatchObject({
      window: { from: iso(0), to: iso(1800), measuredSeconds: 900, pausedSeconds: 0, maintenanceSeconds: 900, staleSeconds: 0 },
      attainment: 100,
      errorBudget: { totalSeconds: 9, usedSeconds: 0, leftPercent: 100 },
      burnRates: { '5m': 0, '30m': 0, '1h': 0, '6h': 0 },
      alerts: { fastBurn: false, slowBurn: false },
      freshness: { state: 'fresh', lastSuccessAt: iso(1800), ageSeconds: 0, staleSince: null },
    });
    expect(await evaluate()).toEqual([]);
    const list = await t.request('GET', '/api/slo');
    expect(list.body.targets.map((x: { key: string }) => x.key)).toEqual([ACME, GLOBEX]);
    expect(list.body.targets[0]).toEqual(after.body);

    // The window loop records the opening and the closing late: nothing changes.
    expect(await t.app.get(MaintenanceWindowLoop).sweep()).toEqual(['acme']);
    expect(await maintenanceEvents()).toEqual(['MaintenanceScheduled', 'MaintenanceStarted', 'MaintenanceEnded']);
    await waitForProjections(t);
    expect((await slo(ACME)).body).toEqual(after.body);
    expect(await evaluate()).toEqual([]);

    // ?at= gives the answers of those instants again, from the log.
    const atDuring = await slo(ACME, 1200);
    expect([atDuring.status, atDuring.headers.get('x-opsledger-as-of')]).toEqual([200, iso(1200)]);
    expect(atDuring.body).toEqual(during.body);
    expect((await slo(ACME, 1800)).body).toEqual(after.body);
    expect((await t.request('GET', `/api/slo?at=${encodeURIComponent(iso(1800))}`)).body).toEqual(list.body);
  }, 120_000);
});
