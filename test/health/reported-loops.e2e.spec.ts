import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/**
 * The webhook dispatcher, alert evaluator and flag-expiry loops report heartbeats like the job
 * and poll loops do, so ops health (and the stale-loop alert) sees one that stopped or crashed.
 */
describe('heartbeats of the webhook dispatcher, alert evaluator, flag-expiry, pause-expiry and maintenance-window loops', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;
  const AUXILIARY = ['alert-evaluator', 'flag-expiry', 'maintenance-window', 'pause-expiry', 'webhook-dispatcher'];
  const rows = async () =>
    (await db.pool.query(`SELECT loop, state, interval_ms, last_run_at, beat_at, detail FROM loop_states WHERE loop = ANY($1) ORDER BY loop`, [AUXILIARY]))
      .rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(
      {
        WEBHOOK_POLL_MS: '20',
        FLAG_EXPIRY_SWEEP_MS: '50',
        ALERT_EVAL_MS: '50',
        PAUSE_EXPIRY_SWEEP_MS: '50',
        MAINTENANCE_SWEEP_MS: '50',
        LOOP_REPORT_MS: '400',
      },
      db,
    );
  });
  afterAll(async () => {
    await t?.close();
    await db.drop();
  });

  it('shows each loop in ops health, active and not stale, with the heartbeat as its interval', async () => {
    const body = await waitFor('ops health lists the five loops as run', async () => {
      const r = await t!.request('GET', '/api/ops/health');
      const loops = (r.body.loops ?? []).filter((l: { loop: string }) => AUXILIARY.includes(l.loop));
      return loops.length === 5 && loops.every((l: { lastRunAt: string | null }) => l.lastRunAt) && r.body;
    });
    for (const loop of AUXILIARY) {
      expect(body.loops.find((l: { loop: string }) => l.loop === loop)).toMatchObject({ state: 'idle', stale: false, intervalMs: 400 });
      expect(body.workers[loop]).toBe('idle');
    }
    expect((await rows()).map((r) => r.detail)).toEqual(AUXILIARY.map(() => ({ role: 'active', auxiliary: true })));
  });

  it('writes at most one heartbeat per LOOP_REPORT_MS although the dispatcher steps every 20 ms', async () => {
    const beats = new Set<string>();
    const until = Date.now() + 1_300;
    while (Date.now() < until) {
      const r = (await rows()).find((x) => x.loop === 'webhook-dispatcher');
      beats.add(new Date(r.beat_at).toISOString());
      await new Promise((res) => setTimeout(res, 10));
    }
    // 1.3 s at one beat per 400 ms: at most 4 distinct beats (5 would be a step-rate report).
    expect(beats.size).toBeGreaterThanOrEqual(2);
    expect(beats.size).toBeLessThanOrEqual(4);
  });

  it('records "stopped" when the process shuts down', async () => {
    await t!.close();
    t = undefined;
    expect((await rows()).map((r) => [r.loop, r.state])).toEqual(AUXILIARY.map((loop) => [loop, 'stopped']));
  });
});
