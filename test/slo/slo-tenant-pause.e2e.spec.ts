import { FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';
import { waitForProjections } from '../support/wait-for-projections';

/**
 * Pausing every target of a tenant (POST /api/tenants/:tenant/targets/pause) is paused time for
 * each of its targets' freshness objectives, as the target's own pause is (docs/adr/0014 §3). The
 * real app polls a real HTTP server every 60 s of an injected clock the test moves one poll at a
 * time. acme's targets are paused at T0+270 (its last success T0+240); without the exclusion its
 * target would be stale from T0+390. globex is polled all along. Figures worked out by hand.
 */
describe('freshness objectives exclude a pause of all of a tenant’s targets (real app, real HTTP target, scripted clock)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let clock: TestClock;
  // An hour ahead of real time: every event is recorded (by PostgreSQL's clock) before any scripted instant, so `?at=` accepts them.
  const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;
  const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
  const ACME = 'svc::acme-web';
  const GLOBEX = 'svc::globex-web';
  const objective = { objective: 99, maxAgeSeconds: 150, window: '7d' };
  const pollsAt = async (seconds: number, key: string) =>
    (
      await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE type IN ('PollSucceeded', 'PollFailed') AND data->>'at' = $1 AND data->>'key' = $2`,
        [iso(seconds), key],
      )
    ).rows[0].n;
  const pollTo = async (seconds: number, acmeHeld: boolean) => {
    clock.set(T0 + seconds * 1000);
    await waitFor(
      `polls at T0+${seconds}s`,
      async () => (await pollsAt(seconds, GLOBEX)) === 1 && (acmeHeld || (await pollsAt(seconds, ACME)) === 1),
      15_000,
      10,
    );
  };
  const slo = (key: string, at?: number) => t.request('GET', `/api/targets/${key}/slo${at === undefined ? '' : `?at=${encodeURIComponent(iso(at))}`}`);

  beforeAll(async () => {
    s = await startFlakyServer();
    clock = TestClock.stopped(T0);
    t = await startTestApp(
      { SCHEDULER_TICK_MS: '20', QUIET_HOURS: 'off', POLL_TIMEOUT_MS: '2000', BREAKER_FAILURE_THRESHOLD: '1000', DEAD_LETTER_STREAK: '1000' },
      undefined,
      { clock },
    );
    for (const [name, tenant] of [
      ['acme-web', 'acme'],
      ['globex-web', 'globex'],
    ])
      expect(
        (
          await t.request('POST', '/api/targets', {
            body: { type: 'svc', name, tenant, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 60, adaptive: false, freshness: objective },
          })
        ).status,
      ).toBe(201);
    await waitFor('the first polls at T0', async () => (await pollsAt(0, ACME)) + (await pollsAt(0, GLOBEX)) === 2);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('counts the tenant-wide pause as paused, not stale, live and at a past instant; the resume ends it', async () => {
    for (let k = 1; k <= 4; k++) await pollTo(k * 60, false);
    clock.set(T0 + 270_000); // between two polls
    expect((await t.request('POST', '/api/tenants/acme/targets/pause', { body: { reason: 'acme migrates its API servers' } })).status).toBe(200);
    for (let k = 5; k <= 20; k++) await pollTo(k * 60, true);
    expect(await pollsAt(300, ACME)).toBe(0);
    await waitForProjections(t);

    const during = await slo(ACME);
    expect(during.body).toMatchObject({
      at: iso(1200),
      window: { from: iso(0), to: iso(1200), measuredSeconds: 270, pausedSeconds: 930, maintenanceSeconds: 0, staleSeconds: 0 },
      attainment: 100,
      freshness: { state: 'paused', lastSuccessAt: iso(240) },
    });
    expect((await slo(GLOBEX)).body).toMatchObject({ window: { measuredSeconds: 1200, pausedSeconds: 0, staleSeconds: 0 }, freshness: { state: 'fresh' } });

    // Resumed at T0+1230: acme is polled again by its schedule and the age starts over at the resume.
    clock.set(T0 + 1_230_000);
    expect((await t.request('POST', '/api/tenants/acme/targets/resume', { body: { reason: 'migration done' } })).status).toBe(200);
    clock.set(T0 + 1_260_000);
    await waitFor('acme polled after the resume', async () => (await pollsAt(1230, ACME)) + (await pollsAt(1260, ACME)) === 1, 15_000, 10);
    await waitForProjections(t);
    expect((await slo(ACME)).body).toMatchObject({
      window: { measuredSeconds: 300, pausedSeconds: 960, staleSeconds: 0 },
      freshness: { state: 'fresh' },
    });

    // ?at= folds the same answer from the log.
    expect((await slo(ACME, 1200)).body).toEqual(during.body);
  }, 120_000);
});
