import { createHash } from 'node:crypto';
import { AuthFailures } from '../../src/auth/auth-failures';
import { AUTH_FAILURE_COUNTER } from '../../src/auth/auth-failure-counter';
import { tokenDigest } from '../../src/auth/token-secret';
import { SharedCounters } from '../../src/metrics/shared-counters';
import { TEST_KEY_BYTES } from '../support/server-keys';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('bearer tokens and the global guard', () => {
  let t: TestApp;
  const clock = TestClock.running();
  beforeAll(async () => (t = await startTestApp({ AUTH_CACHE_MS: '60000' }, undefined, { clock })));
  afterAll(async () => t.close());

  async function counts() {
    const { rows } = await t.db.pool.query(`SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM rm_tokens)::int AS tokens`);
    return rows[0] as { events: number; tokens: number };
  }
  async function issue(body: Record<string, unknown>) {
    const res = await t.request('POST', '/api/auth/tokens', { body: { reason: 'test', ...body } });
    expect(res.status).toBe(201);
    return res.body as { tokenId: string; token: string; name: string; role: string; tenant: string | null };
  }

  it('answers 401 JSON with WWW-Authenticate when no token is sent', async () => {
    const res = await t.request('GET', '/api/auth/whoami', { token: null });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, message: expect.stringContaining('Bearer') });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('answers 401 for an unknown token and for a header that is not Bearer', async () => {
    const unknown = await t.request('GET', '/api/auth/whoami', { token: `olt_${'x'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toMatch(/not known/);
    expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');
    const basic = await t.request('GET', '/api/auth/whoami', { token: null, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect(basic.body.message).toMatch(/Bearer/);
  });

  /** The routes that need no bearer token (docs/security.md): liveness, a tenant's maintenance banner, and ops health (its own x-ops-token). */
  // POST /api/session is the console's sign-in: the token comes in its body, so it answers without a bearer header
  // (400 with no token in the body, 401 for a wrong one: test/console/session.e2e.spec.ts).
  const PUBLIC_ROUTES = ['GET /api/health', 'GET /api/maintenance/:tenant', 'GET /api/ops/health', 'GET /api/ops/plannings', 'POST /api/session'];

  it('lets public routes through without a token', async () => {
    expect((await t.request('GET', '/api/health', { token: null })).status).toBe(200);
    expect((await t.request('GET', '/api/maintenance/acme', { token: null })).status).toBe(200);
  });

  it('every other route of the OpenAPI document answers 401 without a token', async () => {
    const spec = (await t.request('GET', '/api/docs/json', { token: null })).body as { paths: Record<string, Record<string, unknown>> };
    const open: string[] = [];
    for (const [p, ops] of Object.entries(spec.paths))
      for (const method of Object.keys(ops)) {
        const route = `${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`;
        const res = await t.request(method.toUpperCase(), p.replace(/\{\w+\}/g, 'x'), { token: null, body: method === 'get' ? undefined : {} });
        if (res.status !== 401) open.push(route);
      }
    expect(open.sort()).toEqual(PUBLIC_ROUTES);
  });

  it('whoami names the bootstrap admin token', async () => {
    const res = await t.request('GET', '/api/auth/whoami');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'bootstrap-admin', role: 'admin', tenant: null });
  });

  it('issues a token that works at once, shown once, listed without secret or hash', async () => {
    const issued = await issue({ name: 'ci', role: 'operator', tenant: 'acme' });
    expect(issued.token).toMatch(/^olt_[A-Za-z0-9_-]{43}$/);
    const me = await t.request('GET', '/api/auth/whoami', { token: issued.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ name: 'ci', role: 'operator', tenant: 'acme' });

    const list = await t.request('GET', '/api/auth/tokens');
    expect(list.status).toBe(200);
    const row = list.body.tokens.find((x: any) => x.tokenId === issued.tokenId);
    expect(row).toMatchObject({ name: 'ci', role: 'operator', tenant: 'acme', status: 'active', revokedAt: null });
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(issued.token);
    expect(text).not.toContain(sha256(issued.token));
    expect(text).not.toContain(sha256(t.adminToken));
  });

  it('stores only the keyed digest: neither the token string nor its bare SHA-256 is in the database', async () => {
    const issued = await issue({ name: 'hash-only', role: 'viewer' });
    const count = async (needle: string) =>
      (
        await t.db.pool.query(
          `SELECT (SELECT count(*) FROM events WHERE data::text LIKE '%' || $1 || '%' OR metadata::text LIKE '%' || $1 || '%')::int + (SELECT count(*) FROM rm_tokens WHERE doc::text LIKE '%' || $1 || '%')::int AS n`,
          [needle],
        )
      ).rows[0].n;
    expect(await count(issued.token.slice(4))).toBe(0);
    expect(await count(sha256(issued.token))).toBe(0);
    const { rows } = await t.db.pool.query(`SELECT count(*)::int AS n FROM rm_tokens WHERE hash = $1`, [tokenDigest(TEST_KEY_BYTES.tokenHash, issued.token)]);
    expect(rows[0].n).toBe(1);
  });

  it('answers 403 naming the needed role when the role is too low, on explicit and default-admin routes', async () => {
    const viewer = await issue({ name: 'reader', role: 'viewer' });
    const operator = await issue({ name: 'op', role: 'operator' });
    const byDefault = await t.request('GET', '/api/auth/tokens', { token: operator.token });
    expect(byDefault.status).toBe(403);
    expect(byDefault.body).toMatchObject({ statusCode: 403, requiredRole: 'admin', message: expect.stringContaining('admin') });
    const explicit = await t.request('POST', '/api/auth/tokens', { token: viewer.token, body: { name: 'x', role: 'viewer', reason: 'r' } });
    expect(explicit.status).toBe(403);
    expect(explicit.body.requiredRole).toBe('admin');
    expect((await t.request('GET', '/api/auth/whoami', { token: viewer.token })).status).toBe(200);
  });

  it('issue → use → revoke → 401, with both actions audited and linked by causationId', async () => {
    const issued = await issue({ name: 'short-lived', role: 'viewer' });
    expect((await t.request('GET', '/api/auth/whoami', { token: issued.token })).status).toBe(200);
    const revoked = await t.request('DELETE', `/api/auth/tokens/${issued.tokenId}`, { body: { reason: 'laptop lost' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ tokenId: issued.tokenId, name: 'short-lived', reason: 'laptop lost' });
    // AUTH_CACHE_MS is a minute here: the revoke must drop this process's cached row at once.
    const after = await t.request('GET', '/api/auth/whoami', { token: issued.token });
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/revoked/);

    const { rows } = await t.db.pool.query(
      `SELECT type, event_id, data, metadata FROM events WHERE stream_id = $1 OR (type = 'OperatorActionRecorded' AND data->'details'->>'tokenId' = $2) ORDER BY position`,
      [`token-${issued.tokenId}`, issued.tokenId],
    );
    expect(rows.map((r) => r.type)).toEqual(['OperatorActionRecorded', 'TokenIssued', 'OperatorActionRecorded', 'TokenRevoked']);
    expect(rows[0].data).toMatchObject({ action: 'token.issue', actor: 'bootstrap-admin', reason: 'test' });
    expect(rows[1].metadata.causationId).toBe(rows[0].event_id);
    expect(rows[2].data).toMatchObject({ action: 'token.revoke', reason: 'laptop lost' });
    expect(rows[3].metadata.causationId).toBe(rows[2].event_id);
    expect(rows[3].metadata.actor).toBe('bootstrap-admin');
  });

  it('revoke takes ?reason= too; a second revoke is 409, an unknown id 404', async () => {
    const issued = await issue({ name: 'twice', role: 'viewer' });
    expect((await t.request('DELETE', `/api/auth/tokens/${issued.tokenId}?reason=rotation`)).status).toBe(200);
    const again = await t.request('DELETE', `/api/auth/tokens/${issued.tokenId}?reason=rotation`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/revoked already/);
    const missing = await t.request('DELETE', `/api/auth/tokens/00000000-0000-0000-0000-000000000000?reason=x`);
    expect(missing.status).toBe(404);
  });

  it('concurrent revokes of one token: one wins, the rest get 409, and only the winner is audited', async () => {
    const issued = await issue({ name: 'raced', role: 'viewer' });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.request('DELETE', `/api/auth/tokens/${issued.tokenId}?reason=race-${i}`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const { rows } = await t.db.pool.query(
      `SELECT type FROM events WHERE stream_id = $1 OR (data->>'action' = 'token.revoke' AND data->'details'->>'tokenId' = $2) ORDER BY position`,
      [`token-${issued.tokenId}`, issued.tokenId],
    );
    expect(rows.map((r) => r.type)).toEqual(['TokenIssued', 'OperatorActionRecorded', 'TokenRevoked']);
  });

  it('an expired token gets 401', async () => {
    const expiresAt = new Date(clock.ms() + 1500).toISOString();
    const issued = await issue({ name: 'brief', role: 'viewer', expiresAt });
    expect((await t.request('GET', '/api/auth/whoami', { token: issued.token })).status).toBe(200);
    clock.set(Date.parse(expiresAt) + 50);
    const res = await t.request('GET', '/api/auth/whoami', { token: issued.token });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/expired/);
    const list = await t.request('GET', '/api/auth/tokens');
    expect(list.body.tokens.find((x: any) => x.tokenId === issued.tokenId).status).toBe('expired');
  });

  describe('rejected commands append nothing and change no read model', () => {
    const bad: [string, string, Record<string, unknown>, string][] = [
      ['POST', '/api/auth/tokens', { name: 'x', role: 'superuser', reason: 'r' }, 'role'],
      ['POST', '/api/auth/tokens', { name: 'x', role: 'viewer' }, 'reason'],
      ['POST', '/api/auth/tokens', { role: 'viewer', reason: 'r' }, 'name'],
      ['POST', '/api/auth/tokens', { name: 'x', role: 'viewer', reason: 'r', admin: true }, 'admin'],
      ['POST', '/api/auth/tokens', { name: 'x', role: 'viewer', reason: 'r', expiresAt: 'tomorrow' }, 'expiresAt'],
      ['POST', '/api/auth/tokens', { name: 'x', role: 'viewer', reason: 'r', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      ['POST', '/api/auth/tokens', { name: 'bootstrap-admin', role: 'admin', reason: 'r' }, 'name'],
      ['POST', '/api/auth/tokens', { name: 'x', role: 'viewer', reason: 'r', tenant: 'has space' }, 'tenant'],
      ['POST', '/api/auth/tokens', { name: 'x', role: 'viewer', reason: '   ' }, 'reason'],
      ['DELETE', '/api/auth/tokens/00000000-0000-0000-0000-000000000000', {}, 'reason'],
      ['DELETE', '/api/auth/tokens/a%2Fb?reason=x', {}, 'id'],
    ];
    it.each(bad)('%s %s %j → 400 naming %s', async (method, path, body, field) => {
      const before = await counts();
      const res = await t.request(method, path, { body });
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(res.body.message).toContain(field);
      expect(await counts()).toEqual(before);
    });

    it('a 401 or 403 appends nothing either', async () => {
      const viewer = await issue({ name: 'v2', role: 'viewer' });
      const before = await counts();
      expect((await t.request('POST', '/api/auth/tokens', { token: null, body: { name: 'x', role: 'viewer', reason: 'r' } })).status).toBe(401);
      expect((await t.request('POST', '/api/auth/tokens', { token: viewer.token, body: { name: 'x', role: 'viewer', reason: 'r' } })).status).toBe(403);
      expect(await counts()).toEqual(before);
    });
  });

  it('a tenant-scoped admin issues, lists and revokes within its tenant only', async () => {
    const acmeAdmin = await issue({ name: 'acme-admin', role: 'admin', tenant: 'acme' });
    const other = await issue({ name: 'globex-viewer', role: 'viewer', tenant: 'globex' });
    const foreign = await t.request('POST', '/api/auth/tokens', {
      token: acmeAdmin.token,
      body: { name: 'escape', role: 'admin', tenant: 'globex', reason: 'r' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toMatch(/tenant "acme"/);
    const own = await t.request('POST', '/api/auth/tokens', { token: acmeAdmin.token, body: { name: 'acme-ci', role: 'operator', reason: 'r' } });
    expect(own.status).toBe(201);
    expect(own.body.tenant).toBe('acme');
    const list = await t.request('GET', '/api/auth/tokens', { token: acmeAdmin.token });
    expect(new Set(list.body.tokens.map((x: any) => x.tenant))).toEqual(new Set(['acme']));
    expect((await t.request('DELETE', `/api/auth/tokens/${other.tokenId}?reason=x`, { token: acmeAdmin.token })).status).toBe(404);
    expect((await t.request('GET', '/api/auth/whoami', { token: other.token })).status).toBe(200);
    expect((await t.request('DELETE', `/api/auth/tokens/${own.body.tokenId}?reason=x`, { token: acmeAdmin.token })).status).toBe(200);
  });

  it('counts failures by reason, and 401s in the shared counter the alerts read', async () => {
    const failures = t.app.get(AuthFailures);
    const counters = t.app.get(SharedCounters);
    await counters.flush();
    const shared = async () =>
      (await t.db.pool.query(`SELECT coalesce(sum(count), 0)::int AS n FROM shared_counters WHERE name = $1`, [AUTH_FAILURE_COUNTER])).rows[0].n as number;
    const before = { ...failures.snapshot() };
    const sharedBefore = await shared();
    const viewer = await issue({ name: 'counted', role: 'viewer' });
    await t.request('GET', '/api/auth/whoami', { token: null });
    await t.request('GET', '/api/auth/whoami', { token: 'olt_nope' });
    await t.request('GET', '/api/auth/whoami', { token: 'olt_nope2' });
    await t.request('GET', '/api/auth/tokens', { token: viewer.token });
    const after = failures.snapshot();
    expect(after.missing_token - before.missing_token).toBe(1);
    expect(after.unknown_token - before.unknown_token).toBe(2);
    expect(after.forbidden - before.forbidden).toBe(1);
    await counters.flush();
    expect((await shared()) - sharedBefore).toBe(3);
  });

  it('documents the auth routes in OpenAPI', async () => {
    const doc = (await t.request('GET', '/api/docs/json', { token: null })).body;
    for (const p of ['/api/auth/whoami', '/api/auth/tokens', '/api/auth/tokens/{id}']) expect(doc.paths[p]).toBeDefined();
    expect(doc.paths['/api/auth/tokens'].post.responses['201']).toBeDefined();
    expect(doc.paths['/api/auth/whoami'].get.responses['401']).toBeDefined();
  });
});
