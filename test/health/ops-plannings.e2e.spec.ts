import { PLANNING_FAILURE_KINDS } from '../../src/health/planning-fields';
import { OPS_TOKEN, PlanningSystem, startPlanningSystem } from './planning-system';

/**
 * The fields PlanningSup's ops API documents, read the way its clients read them (the same
 * property accesses as its dashboard, alerting and investigation examples), on a real system.
 */
describe('GET /api/ops/plannings and the planning-refresh fields of ops health', () => {
  let p: PlanningSystem;
  beforeAll(async () => (p = await startPlanningSystem()));
  afterAll(async () => p?.close());

  /** Every property those clients touch, with the type they expect. */
  function readAsPlanningClients(health: any) {
    expect(['healthy', 'degraded', 'unhealthy']).toContain(health.status);
    expect(Array.isArray(health.issues)).toBe(true);
    expect(health.issues.join(', ')).toEqual(expect.any(String));
    for (const k of ['depth', 'ready', 'locked']) expect(Number.isInteger(health.queue[k])).toBe(true);
    for (const k of ['total', 'covered', 'disabled']) expect(Number.isInteger(health.backups[k])).toBe(true);
    expect(health.backups.disabled / health.backups.total).not.toBeNaN();
    expect(`${health.backups.covered}/${health.backups.total}`).toMatch(/^\d+\/\d+$/);
    expect(typeof health.inQuietHours).toBe('boolean');
    for (const w of ['backfill', 'refreshWorker'])
      expect(['starting', 'idle', 'working', 'paused', 'quiet_hours', 'stopped', 'crashed', 'unknown']).toContain(health.workers[w]);
    for (const list of [health.failedHosts, health.recentFailures]) if (list !== null) expect(list.length).toBeGreaterThan(0); // null, never []
    for (const host of health.failedHosts || []) {
      expect(host).toMatchObject({ host: expect.any(String), count: expect.any(Number) });
      expect(PLANNING_FAILURE_KINDS).toContain(host.lastFailure);
    }
    for (const failure of health.recentFailures || []) {
      expect(failure).toMatchObject({
        planningFullId: expect.stringMatching(/^feed::n\d$/),
        failures: expect.any(Number),
        disabledUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      });
      expect(PLANNING_FAILURE_KINDS).toContain(failure.failureKind);
    }
    if (health.lastBackupWrite !== null)
      expect(health.lastBackupWrite).toMatchObject({
        planningFullId: expect.any(String),
        changed: expect.any(Boolean),
        nbEvents: expect.any(Number),
        at: expect.stringMatching(/Z$/),
      });
  }

  it('healthy: every target covered, nothing disabled, failedHosts and recentFailures null, both worker keys set', async () => {
    const b = await p.healthy();
    readAsPlanningClients(b);
    expect(b).toMatchObject({ issues: [], backups: { total: 5, covered: 5, disabled: 0 }, failedHosts: null, recentFailures: null });
    expect(b.workers.backfill).toBe(b.workers['poll-scheduler']);
    expect(b.workers.refreshWorker).toBe(b.workers['poll-scheduler']);
    expect(b.lastBackupWrite).toMatchObject({ planningFullId: expect.stringMatching(/^feed::n\d$/), changed: false, nbEvents: 1, outcome: 'ok 200' });
  });

  it('the alias answers the same body as /api/ops/health, behind the same token (404 otherwise)', async () => {
    const live = await p.t.request('GET', '/api/ops/health', { token: null, headers: { 'x-ops-token': OPS_TOKEN } });
    const asOf = encodeURIComponent(live.headers.get('x-opsledger-as-of')!);
    const [health, plannings] = await Promise.all(['health', 'plannings'].map((n) => p.ops(`/api/ops/${n}?at=${asOf}`)));
    expect(plannings).toEqual(health);
    // A bearer token works on both paths as well.
    expect((await p.t.request('GET', '/api/ops/plannings')).status).toBe(200);
    const unknown = await p.t.request('GET', '/api/ops/nope', { token: null });
    for (const headers of [{}, { 'x-ops-token': 'wrong' }] as Record<string, string>[]) {
      const res = await p.t.request('GET', '/api/ops/plannings', { token: null, headers });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ ...unknown.body, message: unknown.body.message.replace('/api/ops/nope', '/api/ops/plannings') });
    }
    const spec = (await p.t.request('GET', '/api/docs/json', { token: null })).body;
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/ops/health', '/api/ops/plannings']));
  });

  it('degraded: the dead-lettered target is disabled, in failedHosts and recentFailures with its next try; the write that disabled it is the last one', async () => {
    // Only n0 keeps being polled, so the last write is its own.
    for (let i = 1; i < 5; i++)
      expect((await p.t.request('PATCH', `/api/targets/feed::n${i}`, { body: { paused: true, reason: 'isolate n0' } })).status).toBe(200);
    const b = await p.degrade();
    readAsPlanningClients(b);
    expect(b.issues).toEqual(['High disabled: 1/5 (20%)']);
    expect(b.backups).toMatchObject({ total: 5, disabled: 1 });
    expect(b.failedHosts).toEqual([{ host: '127.0.0.1', count: 1, lastFailure: 'http_4xx', kind: 'http_4xx' }]);
    expect(b.recentFailures).toHaveLength(1);
    const [f] = b.recentFailures;
    expect(f).toMatchObject({ planningFullId: 'feed::n0', target: 'feed::n0', failureKind: 'http_4xx', failures: 1 });
    // The next try is the dead-letter retry, 600 s after the failure (DEAD_LETTER_RETRY_SCHEDULE).
    const dl = (await p.t.request('GET', '/api/targets/feed::n0')).body;
    expect(Date.parse(f.disabledUntil)).toBe(Math.floor(Date.parse(dl.deadLetter.nextRetry) / 1000) * 1000);
    expect(Date.parse(f.disabledUntil) - Date.now()).toBeGreaterThan(500_000);
    // PollFailed + TargetDeadLettered in one append, an outcome unlike the one before (ok 200).
    expect(b.lastBackupWrite).toMatchObject({ planningFullId: 'feed::n0', changed: true, nbEvents: 2, outcome: 'http_4xx 401' });
    for (let i = 1; i < 5; i++) await p.t.request('PATCH', `/api/targets/feed::n${i}`, { body: { paused: false, reason: 'done' } });
  });
});
