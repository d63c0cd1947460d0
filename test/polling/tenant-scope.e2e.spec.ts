import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';

describe('tenant scope on targets, scheduler health and ops health (real app, tokens issued via the API)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let acme: string;
  let globex: string;
  const issue = async (name: string, tenant: string) => {
    const res = await t.request('POST', '/api/auth/tokens', { body: { name, role: 'operator', tenant, reason: 'tenant test' } });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  /** Events a rejected request could have written: the target's stream and audit entries (other targets keep polling). */
  const eventCount = async (key: string) =>
    (await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1 OR type = 'OperatorActionRecorded'`, [`target-${key}`]))
      .rows[0].n;

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({ ...FAST_POLLING_ENV, OPS_TOKEN: 'ops-secret', DEAD_LETTER_RETRY_SCHEDULE: '600' });
    acme = await issue('acme-ops', 'acme');
    globex = await issue('globex-ops', 'globex');
    // An admin registers one target per tenant plus an unowned one; a scoped token registers into its own tenant.
    for (const [name, tenant, path] of [
      ['a1', 'acme', '/ok'],
      ['g1', 'globex', '/401'],
      ['shared', undefined, '/ok'],
    ] as const) {
      const res = await t.request('POST', '/api/targets', {
        body: { type: 'svc', name, tenant, probe: { kind: 'http', url: `${s.base}${path}` }, intervalSeconds: 0.3, adaptive: false },
      });
      expect(res.status).toBe(201);
      expect(res.body.tenant).toBe(tenant ?? null);
    }
    const own = await t.request('POST', '/api/targets', {
      token: acme,
      body: { type: 'svc', name: 'a2', probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 0.3, adaptive: false },
    });
    expect(own.status).toBe(201);
    expect(own.body.tenant).toBe('acme');
    await waitFor('all polled, g1 dead-lettered', async () => {
      const b = (await t.request('GET', '/api/monitoring/scheduler/health')).body;
      return b.instances.length === 4 && b.instances.every((i: any) => i.pollStatus.lastSuccess || i.deadLetter.present) && b.deadLetter.count === 1;
    });
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('a scoped token lists and reads only its tenant’s targets; another tenant’s target is 404 like a missing one', async () => {
    const list = await t.request('GET', '/api/targets', { token: acme });
    expect(list.body.targets.map((x: any) => x.key).sort()).toEqual(['svc::a1', 'svc::a2']);
    expect((await t.request('GET', '/api/targets', { token: globex })).body.targets.map((x: any) => x.key)).toEqual(['svc::g1']);
    expect((await t.request('GET', '/api/targets')).body.targets).toHaveLength(4); // the admin token is not scoped
    expect((await t.request('GET', '/api/targets/svc::a1', { token: acme })).status).toBe(200);
    const missing = await t.request('GET', '/api/targets/svc::nope', { token: acme });
    for (const key of ['svc::g1', 'svc::shared']) {
      const res = await t.request('GET', `/api/targets/${key}`, { token: acme });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ ...missing.body, message: missing.body.message.replace('svc::nope', key) });
    }
  });

  it('every action on another tenant’s target is 404 and appends nothing', async () => {
    const key = 'svc::g1';
    const before = await eventCount(key);
    const calls: [string, string, unknown][] = [
      ['PATCH', `/api/targets/${key}`, { paused: true, reason: 'x' }],
      ['DELETE', `/api/targets/${key}`, { reason: 'x' }],
      ['POST', `/api/targets/${key}/redrive`, { reason: 'x' }],
      ['POST', `/api/targets/${key}/reset-breaker`, { reason: 'x' }],
      ['POST', `/api/targets/${key}/poll-now`, { reason: 'x' }],
    ];
    for (const [method, path, body] of calls)
      expect({ method, path, status: (await t.request(method, path, { token: acme, body })).status }).toEqual({ method, path, status: 404 });
    expect(await eventCount(key)).toBe(before);
    // The owner can act on it.
    expect((await t.request('POST', `/api/targets/${key}/redrive`, { token: globex, body: { reason: 'owner redrives' } })).status).toBe(202);
    // Done once the redrive has run its course, so no later test sees g1 in between.
    await waitFor('g1 dead-lettered again after the redrive', async () => {
      const b = (await t.request('GET', '/api/monitoring/scheduler/health', { token: globex })).body;
      // The redrive's probe failed too (a 401 streak of 2) and dead-lettered it again.
      return b.deadLetter.count === 1 && b.instances[0].pollStatus.consecutiveFailures >= 2;
    });
  });

  it('a scoped token cannot register into another tenant: 400 naming tenant, nothing appended', async () => {
    const before = await eventCount('svc::sneaky');
    const res = await t.request('POST', '/api/targets', {
      token: acme,
      body: { type: 'svc', name: 'sneaky', tenant: 'globex', probe: { kind: 'http', url: `${s.base}/ok` } },
    });
    expect(res.status).toBe(400);
    expect(res.body.fields[0].field).toBe('tenant');
    expect(await eventCount('svc::sneaky')).toBe(before);
  });

  it('scheduler health and ops health (live and ?at=) count only the scoped token’s targets', async () => {
    const sched = await t.request('GET', '/api/monitoring/scheduler/health', { token: acme });
    expect(sched.body.instances.map((i: any) => i.key)).toEqual(['svc::a1', 'svc::a2']);
    expect(sched.body.queue).toMatchObject({ depth: 2, perType: { svc: 2 } });
    expect(sched.body.deadLetter.count).toBe(0);
    const g = await t.request('GET', '/api/monitoring/scheduler/health', { token: globex });
    expect(g.body.instances.map((i: any) => i.key)).toEqual(['svc::g1']);
    expect(g.body.deadLetter.count).toBe(1);

    const opsAcme = await t.request('GET', '/api/ops/health', { token: acme });
    expect(opsAcme.status).toBe(200);
    expect(opsAcme.body).toMatchObject({ status: 'healthy', coverage: { total: 2, deadLettered: 0 }, queue: { depth: 2 }, failedHosts: null });
    const opsGlobex = await t.request('GET', '/api/ops/health', { token: globex });
    expect(opsGlobex.body).toMatchObject({ status: 'degraded', issues: ['High disabled: 1/1 (100%)'], coverage: { total: 1, deadLettered: 1 } });
    const all = await t.request('GET', '/api/ops/health', { token: null, headers: { 'x-ops-token': 'ops-secret' } });
    expect(all.body.coverage).toMatchObject({ total: 4, deadLettered: 1 });
    // Without x-ops-token or with an unknown bearer token: the unknown-route 404.
    expect((await t.request('GET', '/api/ops/health', { token: null })).status).toBe(404);
    expect((await t.request('GET', '/api/ops/health', { token: 'olt_unknown' })).status).toBe(404);

    const at = encodeURIComponent(sched.headers.get('x-opsledger-as-of')!);
    const schedAt = await t.request('GET', `/api/monitoring/scheduler/health?at=${at}`, { token: acme });
    expect(schedAt.body.instances.map((i: any) => i.key)).toEqual(['svc::a1', 'svc::a2']);
    const opsAt = await t.request('GET', `/api/ops/health?at=${at}`, { token: globex });
    expect(opsAt.body).toMatchObject({ coverage: { total: 1, deadLettered: 1 } });
    expect(opsAt.body.recentFailures.map((f: any) => f.target)).toEqual(['svc::g1']);
  });
});
