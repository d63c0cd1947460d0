import { PollSchedulerService } from '../../src/polling/scheduler/poll-scheduler.service';
import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer, streamTypes } from './support';
import { waitFor } from '../support/wait-for';

const OPS_TOKEN = 'ops-secret-for-tests';

describe('GET /api/ops/health ', () => {
  let t: TestApp;
  let s: FlakyServer;
  const ops = async () => {
    const res = await t.request('GET', '/api/ops/health', { token: null, headers: { 'x-ops-token': OPS_TOKEN } });
    expect(res.status).toBe(200);
    return res.body;
  };
  const until = (label: string, pred: (b: any) => boolean, timeoutMs = 15_000) =>
    waitFor(label, async () => ((b) => (pred(b) ? b : null))(await ops()), timeoutMs);

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({ ...FAST_POLLING_ENV, OPS_TOKEN, OPS_QUEUE_STUCK_AFTER_MS: '500', DEAD_LETTER_RETRY_SCHEDULE: '600' });
    for (let i = 0; i < 5; i++) {
      s.modes.set(`n${i}`, 'ok');
      const res = await t.request('POST', '/api/targets', {
        body: { type: 'feed', name: `n${i}`, probe: { kind: 'http', url: `${s.base}/switch/n${i}` }, intervalSeconds: 0.2, adaptive: false },
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await t.close();
    await s.close();
  });

  it('a missing or wrong x-ops-token answers exactly like an unknown route (404)', async () => {
    const unknown = await t.request('GET', '/api/ops/nope', { token: null });
    expect(unknown.status).toBe(404);
    for (const headers of [{}, { 'x-ops-token': 'wrong' }, { 'x-ops-token': `${OPS_TOKEN}x` }] as Record<string, string>[]) {
      const res = await t.request('GET', '/api/ops/health', { token: null, headers });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ ...unknown.body, message: unknown.body.message.replace('/api/ops/nope', '/api/ops/health') });
      expect(res.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    }
  });

  it('healthy once the scheduler runs and every target answers', async () => {
    const b = await until('healthy', (x) => x.status === 'healthy' && x.coverage.healthy === 5);
    expect(b).toMatchObject({ issues: [], inQuietHours: false, coverage: { total: 5, deadLettered: 0 }, failedHosts: null, recentFailures: null });
    expect(b.workers['poll-scheduler']).toMatch(/working|idle/);
    expect(b.queue.depth).toBe(5);
    expect(b.lastSuccessAt).toEqual(expect.stringMatching(/Z$/));
  });

  it('degraded when more than 10 % of targets are dead-lettered, healthy again after recovery', async () => {
    s.modes.set('n0', '401');
    // On a loaded machine another target's probe may time out meanwhile: wait for n0 to be the only failing one.
    const b = await until('degraded', (x) => x.status === 'degraded' && x.recentFailures?.length === 1);
    expect(b.issues).toEqual(['High disabled: 1/5 (20%)']);
    expect(b.failedHosts).toEqual([{ host: '127.0.0.1', count: 1, lastFailure: 'http_4xx', kind: 'http_4xx' }]);
    // `failures` is n0's streak in the log: the 401, and any probe that timed out just before it.
    const types = await streamTypes(t.db.pool, 'feed::n0');
    const streak = types.slice(types.lastIndexOf('PollSucceeded') + 1).filter((type) => type === 'PollFailed').length;
    expect(streak).toBeGreaterThanOrEqual(1);
    expect(b.recentFailures).toEqual([
      {
        planningFullId: 'feed::n0',
        target: 'feed::n0',
        failureKind: 'http_4xx',
        kind: 'http_4xx',
        failures: streak,
        disabledUntil: expect.stringMatching(/Z$/),
      },
    ]);
    s.modes.set('n0', 'ok');
    expect((await t.request('POST', '/api/targets/feed::n0/redrive', { body: { reason: 'fixed' } })).status).toBe(202);
    await until('healthy again', (x) => x.status === 'healthy' && x.coverage.deadLettered === 0);
  });

  it('unhealthy when the scheduler stops (stopped, then queue stuck), stale when it hangs; healthy after a restart', async () => {
    const scheduler = t.app.get(PollSchedulerService).scheduler;
    await scheduler.stop();
    const stopped = await until('stopped and stuck', (x) => x.issues.includes('Queue stuck: 5 ready but scheduler stopped'));
    expect(stopped.status).toBe('unhealthy');
    expect(stopped.issues).toContain('poll-scheduler stopped');
    // A hung process: its last report ages past 2.5 × its interval.
    await t.db.pool.query(`UPDATE loop_states SET state = 'working', last_run_at = now() - interval '10 minutes' WHERE loop = 'poll-scheduler'`);
    const stale = await ops();
    expect(stale.status).toBe('unhealthy');
    expect(stale.issues).toEqual(expect.arrayContaining(['poll-scheduler stale (10m ago)', 'Queue stuck: 5 ready but scheduler stale']));
    scheduler.start();
    await until('healthy after restart', (x) => x.status === 'healthy', 20_000);
  });

  it('inQuietHours and the quiet_hours loop state inside the QUIET_HOURS window', async () => {
    const now = new Date();
    const hh = (m: number) =>
      `${String(Math.floor((((m % 1440) + 1440) % 1440) / 60)).padStart(2, '0')}:${String((((m % 1440) + 1440) % 1440) % 60).padStart(2, '0')}`;
    const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
    const q = await startTestApp({ ...FAST_POLLING_ENV, QUIET_HOURS: `${hh(minute - 30)}-${hh(minute + 30)}`, QUIET_HOURS_TZ: 'UTC' });
    try {
      const b = await waitFor('quiet hours loop state', async () => {
        const r = await q.request('GET', '/api/ops/health', { token: null });
        return r.body.workers?.['poll-scheduler'] === 'quiet_hours' ? r.body : null;
      });
      expect(b.inQuietHours).toBe(true);
    } finally {
      await q.close();
    }
  });

  it('closed in production when OPS_TOKEN is unset', async () => {
    const p = await startTestApp({ ...FAST_POLLING_ENV, NODE_ENV: 'production', POLL_SCHEDULER_ENABLED: 'false' });
    try {
      expect((await p.request('GET', '/api/ops/health', { token: null })).status).toBe(404);
      expect((await p.request('GET', '/api/ops/health', { token: null, headers: { 'x-ops-token': '' } })).status).toBe(404);
    } finally {
      await p.close();
    }
  });
});
