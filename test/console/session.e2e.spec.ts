import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { eventCount, eventsOf, signIn } from './session-client';

describe('console sessions: sign-in, cookie, CSRF, sign-out, revoke', () => {
  let t: TestApp;
  const issue = async (name: string, role: string, tenant?: string) =>
    (await t.request('POST', '/api/auth/tokens', { body: { name, role, reason: 'test', ...(tenant ? { tenant } : {}) } })).body;
  beforeAll(async () => (t = await startTestApp({ AUTH_CACHE_MS: '0', TRUSTED_PROXIES: '127.0.0.1' })));
  afterAll(async () => t.close());

  it('refuses an unknown token with 401, sets no cookie and appends nothing', async () => {
    const before = await eventCount(t);
    const res = await fetch(`${t.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: `olt_${'x'.repeat(43)}` }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    const missing = await fetch(`${t.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as any).fields[0].field).toBe('token');
    expect(await eventCount(t)).toBe(before);
  });

  it('exchanges a token for an HttpOnly, SameSite=Strict cookie (Secure over https) recorded as SessionStarted without its secret', async () => {
    const ops = await issue('ann', 'operator');
    const s = await signIn(t, ops.token);
    expect(s.setCookie).toMatch(/^opsledger_session=ols_[A-Za-z0-9_-]{43};/);
    expect(s.setCookie).toMatch(/HttpOnly/);
    expect(s.setCookie).toMatch(/SameSite=Strict/);
    expect(s.setCookie).toMatch(/Path=\//);
    expect(s.setCookie).not.toMatch(/Secure/);
    const https = await signIn(t, ops.token, { 'x-forwarded-proto': 'https', origin: t.url.replace('http:', 'https:') });
    expect(https.setCookie).toMatch(/; Secure/);

    const me = await s.request('GET', '/api/auth/whoami');
    expect(me.body).toEqual({ name: 'ann', role: 'operator', tenant: null });
    const current = await s.request('GET', '/api/session');
    expect(current.body).toMatchObject({ sessionId: s.sessionId, name: 'ann', status: 'active', csrfToken: s.csrfToken });
    const started = (await eventsOf(t, 'SessionStarted')).find((e) => e.data.sessionId === s.sessionId)!;
    expect(started.metadata.actor).toBe('ann');
    const secret = s.cookie.split('=')[1];
    const leaks = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%' || $1 || '%' OR metadata::text LIKE '%' || $1 || '%'`,
      [secret.slice(4)],
    );
    expect(leaks.rows[0].n).toBe(0);
    // The timeline reads below the oldest transaction open in the app's database: an append in flight can hide the event a moment.
    const timeline = await waitFor('the timeline shows SessionStarted', async () => {
      const res = await t.request('GET', '/api/timeline?types=SessionStarted');
      return res.body.items.length > 0 ? res : null;
    });
    expect(JSON.stringify(timeline.body)).not.toContain(started.data.hash);
  });

  it('a state-changing request with the cookie needs the CSRF token and its own Origin; nothing is appended otherwise; bearer requests are unaffected', async () => {
    const ops = await issue('csrf-op', 'operator');
    const s = await signIn(t, ops.token);
    const target = (n: string) => ({ type: 'instance', name: n, probe: { kind: 'http', url: 'http://127.0.0.1:9/x' }, reason: 'csrf test' });
    const before = await eventCount(t);
    const none = await s.request('POST', '/api/targets', { body: target('c1'), csrf: null });
    expect(none.status).toBe(403);
    expect(none.body.message).toMatch(/x-csrf-token: missing/);
    const wrong = await s.request('POST', '/api/targets', { body: target('c1'), csrf: 'forged' });
    expect(wrong.status).toBe(403);
    const crossSite = await s.request('POST', '/api/targets', { body: target('c1'), origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.message).toMatch(/Origin https:\/\/evil.example/);
    expect(await eventCount(t)).toBe(before);
    const ok = await s.request('POST', '/api/targets', { body: target('c1') });
    expect(ok.status).toBe(201);
    const audit = await waitFor('the target.register audit entry', async () => (await t.request('GET', '/api/audit?action=target.register')).body.items[0]);
    expect(audit).toMatchObject({ actor: 'csrf-op', target: 'target:instance::c1' });
    // A GET needs no CSRF token; a bearer POST needs none either.
    expect((await s.request('GET', '/api/targets', { csrf: null, origin: null })).status).toBe(200);
    expect((await t.request('POST', '/api/targets', { token: ops.token, body: target('c2') })).status).toBe(201);
  });

  it('a cross-site page cannot sign a browser in', async () => {
    const ops = await issue('login-csrf', 'viewer');
    const res = await fetch(`${t.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ token: ops.token }),
    });
    expect(res.status).toBe(403);
  });

  it('sign-out ends the session (SessionEnded sign-out) and clears the cookie', async () => {
    const v = await issue('leaver', 'viewer');
    const s = await signIn(t, v.token);
    expect((await s.request('DELETE', '/api/session', { csrf: null })).status).toBe(403);
    const out = await s.request('DELETE', '/api/session');
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/opsledger_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await s.request('GET', '/api/auth/whoami');
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/ended \(sign-out\)/);
    const ended = (await eventsOf(t, 'SessionEnded')).find((e) => e.data.sessionId === s.sessionId)!;
    expect(ended.data).toMatchObject({ reason: 'sign-out' });
    expect(ended.metadata.actor).toBe('leaver');
  });

  it('an admin lists and revokes sessions (audited as session.revoke, reason required); the cookie stops working', async () => {
    const v = await issue('revokee', 'viewer');
    const s = await signIn(t, v.token);
    const list = await t.request('GET', '/api/sessions');
    const row = list.body.sessions.find((x: any) => x.sessionId === s.sessionId);
    expect(row).toMatchObject({ name: 'revokee', status: 'active' });
    expect(JSON.stringify(list.body)).not.toMatch(/"hash"/);
    const before = await eventCount(t);
    const noReason = await t.request('DELETE', `/api/sessions/${s.sessionId}`);
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields[0].field).toBe('reason');
    expect((await t.request('DELETE', '/api/sessions/not-a-session', { body: { reason: 'x' } })).status).toBe(400);
    expect(await eventCount(t)).toBe(before);
    const revoked = await t.request('DELETE', `/api/sessions/${s.sessionId}`, { body: { reason: 'laptop lost' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'ended', endReason: 'revoked', endDetail: 'laptop lost' });
    expect((await t.request('DELETE', `/api/sessions/${s.sessionId}`, { body: { reason: 'again' } })).status).toBe(409);
    expect((await s.request('GET', '/api/auth/whoami')).status).toBe(401);
    const audit = await waitFor('the session.revoke audit entry', async () => (await t.request('GET', '/api/audit?action=session.revoke')).body.items[0]);
    expect(audit).toMatchObject({ actor: 'bootstrap-admin', reason: 'laptop lost', target: 'session:revokee' });
    const ended = (await eventsOf(t, 'SessionEnded')).find((e) => e.data.sessionId === s.sessionId)!;
    expect(ended.metadata.causationId).toBe(audit.id);
  });

  it('a revoked token ends its sessions', async () => {
    const v = await issue('token-gone', 'viewer');
    const s = await signIn(t, v.token);
    expect((await s.request('GET', '/api/auth/whoami')).status).toBe(200);
    expect((await t.request('DELETE', `/api/auth/tokens/${v.tokenId}`, { body: { reason: 'rotated' } })).status).toBe(200);
    const after = await s.request('GET', '/api/auth/whoami');
    expect(after.status).toBe(401);
    expect(after.body.message).toMatch(/revoked: token revoked/);
    const ended = (await eventsOf(t, 'SessionEnded')).find((e) => e.data.sessionId === s.sessionId)!;
    expect(ended.data).toMatchObject({ reason: 'revoked', detail: 'token revoked' });
  });

  it('a session has its token role and tenant: a viewer cannot act, a tenant admin sees and revokes only its tenant sessions', async () => {
    const viewer = await signIn(t, (await issue('look-only', 'viewer')).token);
    expect(
      (await viewer.request('POST', '/api/targets', { body: { type: 'instance', name: 'v1', probe: { kind: 'http', url: 'http://127.0.0.1:9/' } } })).status,
    ).toBe(403);
    const acmeAdmin = await signIn(t, (await issue('acme-admin', 'admin', 'acme')).token);
    const acmeViewer = await signIn(t, (await issue('acme-view', 'viewer', 'acme')).token);
    const seen = (await acmeAdmin.request('GET', '/api/sessions')).body.sessions.map((x: any) => x.tenant);
    expect(new Set(seen)).toEqual(new Set(['acme']));
    expect(seen.length).toBe(2);
    expect((await acmeAdmin.request('DELETE', `/api/sessions/${viewer.sessionId}`, { body: { reason: 'not mine' } })).status).toBe(404);
    expect((await acmeAdmin.request('DELETE', `/api/sessions/${acmeViewer.sessionId}`, { body: { reason: 'mine' } })).status).toBe(200);
  });

  it('a forged cookie is a failed authentication (401), like an unknown token', async () => {
    const res = await fetch(`${t.url}/api/auth/whoami`, { headers: { cookie: `opsledger_session=ols_${'y'.repeat(43)}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).message).toMatch(/not known/);
  });
});
