import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV } from '../polling/support';
import { waitFor } from '../support/wait-for';
import { waitForEvents } from '../support/wait-for-events';
import { MemoryLog, SECRET_PATTERN, startCountingServer, CountingServer } from './support';

type Row = { type: string; data: any };
const eventsOf = async (t: TestApp, key: string): Promise<Row[]> =>
  (await t.db.pool.query<Row>(`SELECT type, data FROM events WHERE stream_id = $1 ORDER BY revision`, [`target-${key}`])).rows;
const firstOf = async (t: TestApp, key: string, type: string) =>
  (await waitForEvents(t.db.pool, `${type} of ${key}`, { stream: `target-${key}`, types: [type] }))[0];

async function register(t: TestApp, name: string, probe: Record<string, unknown>, token?: string): Promise<string> {
  const res = await t.request('POST', '/api/targets', {
    token,
    body: { type: 'svc', name, probe: { kind: 'http', ...probe }, intervalSeconds: 0.2, adaptive: false, reason: 'egress policy test' },
  });
  expect(res.status).toBe(201);
  return res.body.key;
}

/** The issue's attack: an operator (here a tenant-scoped one) points a target inside the network and reads the answer back. */
describe('egress policy as shipped (EGRESS_ALLOW unset): probes cannot reach inside', () => {
  let t: TestApp;
  let s: CountingServer;
  let tenantOperator: string;
  const log = new MemoryLog();

  beforeAll(async () => {
    s = await startCountingServer();
    t = await startTestApp({ ...FAST_POLLING_ENV, EGRESS_ALLOW: '', DEAD_LETTER_RETRY_SCHEDULE: '600', LOG_LEVEL: 'info' }, undefined, { logDestination: log });
    const issued = await t.request('POST', '/api/auth/tokens', { body: { name: 'acme-ops', role: 'operator', tenant: 'acme', reason: 'egress test' } });
    expect(issued.status).toBe(201);
    tenantOperator = issued.body.token;
  });
  afterAll(async () => {
    await t.close();
    await s.close();
  });

  it.each([
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/credentials`, 'loopback'],
    ['localhost, a name that resolves to 127.0.0.1', (p: number) => `http://localhost:${p}/credentials`, 'loopback'],
    ['IPv4-mapped IPv6 ::ffff:127.0.0.1', (p: number) => `http://[::ffff:127.0.0.1]:${p}/credentials`, 'loopback'],
    ['0.0.0.0', (p: number) => `http://0.0.0.0:${p}/credentials`, 'unspecified'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'link_local'],
  ])('%s → PollFailed blocked_by_policy (config), dead-lettered as config_error, nothing sent', async (_what, url, reason) => {
    const name = `t${Math.random().toString(36).slice(2, 8)}`;
    const key = await register(t, name, { url: url(s.port) }, tenantOperator);
    const failed = await firstOf(t, key, 'PollFailed');
    expect(failed.data).toMatchObject({ failureKind: 'blocked_by_policy', category: 'config', statusCode: null });
    expect(failed.data.message).toMatch(new RegExp(`^egress policy refused .+:\\d+ \\(${reason}\\)$`));
    const types = (await eventsOf(t, key)).map((e) => e.type);
    expect(types).toContain('TargetDeadLettered');
    expect((await eventsOf(t, key)).find((e) => e.type === 'TargetDeadLettered')!.data.reason).toBe('config_error');
    // Nothing reached the target, so the target's breaker has nothing to say.
    expect(types).not.toContain('BreakerOpened');
    expect(s.total()).toBe(0);
  });

  it('poll-now on a blocked target is refused again, and the API shows why without reaching the server', async () => {
    const key = await register(t, 'poll-now', { url: `${s.base}/credentials` }, tenantOperator);
    await firstOf(t, key, 'TargetDeadLettered');
    expect((await t.request('POST', `/api/targets/${key}/poll-now`, { token: tenantOperator, body: { reason: 'read the answer back' } })).status).toBe(202);
    await waitFor(
      'second PollFailed',
      async () => (await eventsOf(t, key)).filter((e) => e.type === 'PollFailed' || e.type === 'DeadLetterRetryFailed').length >= 3,
    );
    const view = await waitFor('target view with the error', async () => {
      const res = await t.request('GET', `/api/targets/${key}`, { token: tenantOperator });
      return res.body?.pollStatus?.lastError ? res.body : null;
    });
    expect(view.pollStatus.lastError).toMatchObject({ category: 'config', message: `egress policy refused 127.0.0.1:${s.port} (loopback)` });
    expect(view.deadLetter).toMatchObject({ present: true, reason: 'config_error' });
    expect(s.total()).toBe(0);
  });

  it('each refusal is logged (with the resolved address) and counted', async () => {
    const key = await register(t, 'logged', { url: `http://localhost:${s.port}/credentials` }, tenantOperator);
    await firstOf(t, key, 'PollFailed');
    const refused = await waitFor('the refusal of localhost in the log', () => {
      const lines = log.lines().filter((l) => l.event === 'egress.refused');
      return lines.some((l) => l.host === 'localhost') && lines;
    });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.find((l) => l.host === 'localhost')).toMatchObject({ level: 40, address: '127.0.0.1', port: s.port, reason: 'loopback' });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/opsledger_egress_refused_total\{reason="loopback",service="opsledger"\} [1-9]/);
    expect(metrics.body).toMatch(/opsledger_polls_total\{outcome="failed",failure_kind="blocked_by_policy",service="opsledger"\} [1-9]/);
  });
});

describe('egress policy with EGRESS_ALLOW=127.0.0.1/32', () => {
  let t: TestApp;
  let s: CountingServer;
  const log = new MemoryLog();
  const requestsTo = (path: string) => log.lines().filter((l) => l.event === 'http.request' && l.path === path).length;

  beforeAll(async () => {
    s = await startCountingServer();
    // Nothing here hangs: a longer probe timeout keeps a cold first probe from timing out, whichever test runs first.
    t = await startTestApp(
      { ...FAST_POLLING_ENV, POLL_TIMEOUT_MS: '3000', EGRESS_ALLOW: '127.0.0.1/32', DEAD_LETTER_RETRY_SCHEDULE: '600', LOG_LEVEL: 'info' },
      undefined,
      { logDestination: log },
    );
  });
  afterAll(async () => {
    await t.close();
    await s.close();
  });

  it('an opened address is polled as before', async () => {
    const key = await register(t, 'allowed', { url: `${s.base}/ok`, jsonCheck: { path: 'status', equals: 'ok' } });
    await firstOf(t, key, 'PollSucceeded');
    expect(s.hits.get('/ok')).toBeGreaterThan(0);
  });

  it("the service's own HTTP and PostgreSQL ports stay refused on an opened address", async () => {
    const own = await register(t, 'own-api', { url: `${t.url}/api/docs/json` });
    const pgPort = new URL(t.db.url).port;
    const pg = await register(t, 'own-pg', { url: `http://127.0.0.1:${pgPort}/` });
    for (const [key, port] of [
      [own, new URL(t.url).port],
      [pg, pgPort],
    ]) {
      const failed = await firstOf(t, key, 'PollFailed');
      expect(failed.data).toMatchObject({
        failureKind: 'blocked_by_policy',
        category: 'config',
        message: `egress policy refused 127.0.0.1:${port} (own_port)`,
      });
    }
    expect(requestsTo('/api/docs/json')).toBe(0);
  });

  it('every redirect hop is checked: an opened server redirecting to a refused address is refused', async () => {
    const toOwn = await register(t, 'redirect-own', { url: `${s.base}/redirect?to=${encodeURIComponent(`${t.url}/api/docs/json`)}` });
    const toMetadata = await register(t, 'redirect-metadata', {
      url: `${s.base}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
    });
    const twoHops = await register(t, 'redirect-twice', {
      url: `${s.base}/redirect?to=${encodeURIComponent(`${s.base}/redirect?to=${encodeURIComponent(`${t.url}/api/health`)}`)}`,
    });
    const allowed = await register(t, 'redirect-ok', { url: `${s.base}/redirect?to=/ok` });
    expect((await firstOf(t, toOwn, 'PollFailed')).data).toMatchObject({ failureKind: 'blocked_by_policy', message: expect.stringMatching(/\(own_port\)$/) });
    expect((await firstOf(t, toMetadata, 'PollFailed')).data).toMatchObject({
      failureKind: 'blocked_by_policy',
      message: 'egress policy refused 169.254.169.254:80 (link_local)',
    });
    expect((await firstOf(t, twoHops, 'PollFailed')).data).toMatchObject({ failureKind: 'blocked_by_policy', message: expect.stringMatching(/\(own_port\)$/) });
    // The first hops did reach the opened server; a redirect within what is open is followed.
    expect(s.hits.get('/redirect')).toBeGreaterThanOrEqual(4);
    await firstOf(t, allowed, 'PollSucceeded');
    expect(requestsTo('/api/docs/json')).toBe(0);
    expect(requestsTo('/api/health')).toBe(0);
  });

  it('failures against an opened server keep kind, status, content type and length, never the content', async () => {
    const keys = {
      json: await register(t, 'leak-json', { url: `${s.base}/credentials`, jsonCheck: { path: '.', equals: { Code: 'Success' } } }),
      path: await register(t, 'leak-path', { url: `${s.base}/credentials`, jsonCheck: { path: 'AccessKeyId', equals: 'expected-key' } }),
      text: await register(t, 'leak-text', { url: `${s.base}/passwd`, jsonCheck: { path: 'status', equals: 'ok' } }),
      reason: await register(t, 'leak-reason', { url: `${s.base}/status-secret` }),
    };
    const message = async (key: string) => (await firstOf(t, key, 'PollFailed')).data.message;
    expect(await message(keys.json)).toMatch(/^json check failed: \. is not \{"Code":"Success"\} \(status 200, application\/json, \d+ bytes\)$/);
    expect(await message(keys.path)).toMatch(/^json check failed: AccessKeyId is not "expected-key" \(status 200, application\/json, \d+ bytes\)$/);
    expect(await message(keys.text)).toMatch(/^response is not JSON \(status 200, text\/plain, \d+ bytes\)$/);
    expect(await message(keys.reason)).toBe('500 internal server error');

    // Nowhere: not in the stored events, the target API, scheduler health, ops health or the timeline.
    const stored = await t.db.pool.query<{ type: string; version: number; data: string }>(
      `SELECT type, schema_version AS version, data::text AS data FROM events WHERE stream_id = ANY($1)`,
      [Object.values(keys).map((k) => `target-${k}`)],
    );
    expect(stored.rows.length).toBeGreaterThanOrEqual(8); // each: TargetRegistered, PollFailed, …
    for (const r of stored.rows) expect(r.data).not.toMatch(SECRET_PATTERN);
    // Written as PollFailed v2 (no response content), so the v1 upcaster leaves them alone.
    expect(new Set(stored.rows.filter((r) => r.type === 'PollFailed').map((r) => r.version))).toEqual(new Set([2]));
    await waitFor('read model has every error', async () => {
      const res = await t.request('GET', '/api/monitoring/scheduler/health');
      return Object.values(keys).every((k) => res.body.instances.find((i: any) => i.key === k)?.pollStatus.lastError);
    });
    const now = new Date();
    const reads = [
      ...Object.values(keys).map((k) => `/api/targets/${k}`),
      '/api/targets',
      '/api/monitoring/scheduler/health',
      '/api/ops/health',
      `/api/timeline?from=${new Date(now.getTime() - 600_000).toISOString()}&to=${new Date(now.getTime() + 60_000).toISOString()}`,
    ];
    for (const path of reads) {
      const res = await t.request('GET', path);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(SECRET_PATTERN);
    }
    expect(s.hits.get('/credentials')).toBeGreaterThan(0); // the requests were made: the content was there to leak
  });
});
