import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const INTERVAL_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The read cache in the real app (ADR 0016): live bodies rebuilt when the read model's position
 * moves (at most once per READ_CACHE_INTERVAL_MS; the maximum age is set far away here, so only
 * positions count), ETag and If-None-Match → 304, one body per tenant scope, `?at=` apart.
 */
describe('read cache of the health and system bodies (real app and PostgreSQL)', () => {
  let t: TestApp;
  let acme: string;
  let globex: string;
  const SCHED = '/api/monitoring/scheduler/health';
  const issue = async (name: string, tenant: string) => {
    const res = await t.request('POST', '/api/auth/tokens', { body: { name, role: 'operator', tenant, reason: 'read cache test' } });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  const register = async (name: string, tenant: string) => {
    const res = await t.request('POST', '/api/targets', { body: { type: 'svc', name, tenant, probe: { kind: 'http', url: `http://127.0.0.1:9/${name}` } } });
    expect(res.status).toBe(201);
  };
  /** Until the targets projection has applied the target: its row and checkpoint commit together. */
  const projected = (key: string) =>
    waitFor(`${key} projected`, async () => (await t.db.pool.query('SELECT 1 FROM rm_targets WHERE key = $1', [key])).rowCount === 1);
  const keys = (body: any) => body.instances.map((i: any) => i.key).sort();

  beforeAll(async () => {
    t = await startTestApp({
      READ_CACHE_INTERVAL_MS: String(INTERVAL_MS),
      READ_CACHE_MAX_AGE_MS: '600000',
      POLL_SCHEDULER_ENABLED: 'false',
      QUIET_HOURS: 'off',
      // Every past instant counts as settled, so this test's own history is cached.
      PIT_SETTLED_AFTER_MS: '0',
    });
    acme = await issue('acme-viewer', 'acme');
    globex = await issue('globex-viewer', 'globex');
    await register('a1', 'acme');
    await register('g1', 'globex');
    await projected('svc::g1');
    await projected('svc::a1');
    await sleep(INTERVAL_MS + 50);
  });
  afterAll(async () => t?.close());

  let first: { etag: string; asOf: string; keys: string[] };

  it('answers If-None-Match with 304 and no body while the position stands', async () => {
    const a = await t.request('GET', SCHED);
    expect(a.status).toBe(200);
    expect(keys(a.body)).toEqual(['svc::a1', 'svc::g1']);
    const etag = a.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    first = { etag, asOf: a.headers.get('x-opsledger-as-of')!, keys: keys(a.body) };
    await sleep(INTERVAL_MS + 50); // past the interval: the position is checked again, and has not moved
    const b = await t.request('GET', SCHED, { headers: { 'if-none-match': etag } });
    expect(b.status).toBe(304);
    expect(b.body).toBeNull();
    expect(b.headers.get('etag')).toBe(etag);
    expect(b.headers.get('x-opsledger-as-of')).toBe(first.asOf); // the same body, built once
    const c = await t.request('GET', SCHED);
    expect(c.headers.get('etag')).toBe(etag);
  });

  it('after a new event, the next read past the interval reflects it, with a new ETag', async () => {
    await register('a2', 'acme');
    await projected('svc::a2');
    await sleep(INTERVAL_MS + 50);
    const r = await t.request('GET', SCHED, { headers: { 'if-none-match': first.etag } });
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual(['svc::a1', 'svc::a2', 'svc::g1']);
    expect(r.headers.get('etag')).not.toBe(first.etag);
  });

  it('a scoped token gets its own scope’s body, never another scope’s cached one, and no 304 for another scope’s tag', async () => {
    const all = await t.request('GET', SCHED);
    expect(keys(all.body)).toHaveLength(3); // the installation's body is cached now
    const a = await t.request('GET', SCHED, { token: acme });
    expect(keys(a.body)).toEqual(['svc::a1', 'svc::a2']);
    const g = await t.request('GET', SCHED, { token: globex });
    expect(keys(g.body)).toEqual(['svc::g1']);
    for (let i = 0; i < 3; i++) {
      expect(keys((await t.request('GET', SCHED, { token: acme })).body)).toEqual(['svc::a1', 'svc::a2']);
      expect(keys((await t.request('GET', SCHED, { token: globex })).body)).toEqual(['svc::g1']);
    }
    const cross = await t.request('GET', SCHED, { token: globex, headers: { 'if-none-match': a.headers.get('etag')! } });
    expect(cross.status).toBe(200);
    expect(keys(cross.body)).toEqual(['svc::g1']);
    const opsAcme = await t.request('GET', '/api/ops/health', { token: acme });
    const opsAll = await t.request('GET', '/api/ops/health');
    expect([opsAcme.body.coverage.total, opsAll.body.coverage.total]).toEqual([2, 3]);
    expect((await t.request('GET', '/api/ops/health', { token: globex, headers: { 'if-none-match': opsAcme.headers.get('etag')! } })).body.coverage.total).toBe(
      1,
    );
  });

  it('?at= bypasses the live cache; a settled past answer is cached with its own tag', async () => {
    const live = await t.request('GET', SCHED);
    expect(keys(live.body)).toHaveLength(3);
    const past = await t.request('GET', `${SCHED}?at=${encodeURIComponent(first.asOf)}`);
    expect(past.status).toBe(200);
    expect(keys(past.body)).toEqual(first.keys);
    expect(past.headers.get('x-opsledger-as-of')).toBe(first.asOf);
    expect(past.headers.get('etag')).not.toBe(live.headers.get('etag'));
    const again = await t.request('GET', `${SCHED}?at=${encodeURIComponent(first.asOf)}`, { headers: { 'if-none-match': past.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const scoped = await t.request('GET', `${SCHED}?at=${encodeURIComponent(first.asOf)}`, { token: globex });
    expect(keys(scoped.body)).toEqual(['svc::g1']);
  });

  it.each([
    '/api/ops/health',
    '/api/ops/plannings',
    '/api/system/queue',
    '/api/system/workers',
    '/api/system/runs/recent',
    '/api/system/metrics?window=2h',
    '/api/system/migrations',
  ])('%s sends an ETag and answers If-None-Match with 304', async (path) => {
    const a = await t.request('GET', path);
    expect(a.status).toBe(200);
    const etag = a.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const b = await t.request('GET', path, { headers: { 'if-none-match': etag } });
    expect(b.status).toBe(304);
    expect(b.body).toBeNull();
  });
});
