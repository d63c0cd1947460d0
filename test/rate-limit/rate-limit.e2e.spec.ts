import { RateLimiter } from '../../src/rate-limit/rate-limiter';
import { startTestApp, TestApp } from '../support/test-app';
import { middayUtc, TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';

const countEvents = async (t: TestApp) => Number((await t.db.pool.query('SELECT count(*) FROM events')).rows[0].count);

// A one-day window on a clock that starts at noon UTC: a test never straddles a window boundary
// (windows are aligned to the clock), whatever the time of day it runs. Yesterday's noon: the
// service's clock is a day off the database's, so a rule judged by the database's clock shows.
describe('rate limits', () => {
  let t: TestApp;
  let clock: TestClock;
  const inFuture = (ms: number) => new Date(clock.ms() + ms).toISOString();
  beforeEach(async () => {
    clock = TestClock.running(new Date(middayUtc().getTime() - 86_400_000));
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_WINDOW_MS: '86400000', RATE_LIMIT_SYNC_MS: '50' }, undefined, { clock });
  });
  afterEach(async () => t.close());

  it('answers 429 with Retry-After past the limit, and never limits the public health check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.request('GET', '/api/rate-limits/overrides')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const res = await t.request('GET', '/api/rate-limits/overrides');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(res.body.message).toMatch(/rate limit of 5 requests/);
    for (let i = 0; i < 10; i++) expect((await t.request('GET', '/api/health', { token: null })).status).toBe(200);
  });

  it('limits token guessing by client address: unknown tokens share one budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.request('GET', '/api/auth/whoami', { token: `olt_guess${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // A real token has its own budget.
    expect((await t.request('GET', '/api/auth/whoami')).status).toBe(200);
  });

  it('lifts the limit for an address with an audited override that expires on its own', async () => {
    const grant = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { ip: '127.0.0.1' }, limit: 12, expiresAt: inFuture(2500), reason: 'incident triage' },
    });
    expect(grant.status).toBe(201);
    expect(grant.body).toMatchObject({ subject: { ip: '127.0.0.1' }, limit: 12, active: true, reason: 'incident triage' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await t.request('GET', '/api/rate-limits/overrides')).status);
    expect(statuses.filter((s) => s === 200).length).toBe(11); // the grant itself counted as one
    expect(statuses[11]).toBe(429);
    const audit = await t.db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' LIKE 'rate_limit.%'`);
    expect(audit.rows.map((r) => [r.data.action, r.data.reason])).toEqual([['rate_limit.override', 'incident triage']]);
    clock.advance(2700); // past the override's expiry, within the day's window
    const { rows } = await t.db.pool.query(`SELECT doc FROM rm_rate_limit_overrides`);
    expect(new Date(rows[0].doc.expiresAt).getTime()).toBeLessThan(clock.ms());
    // Expired: back under the default limit of 5, which this window has long used up.
    await t.app.get(RateLimiter).sync();
    expect((await t.request('GET', '/api/rate-limits/overrides')).status).toBe(429);
  });

  it('rejects a bad override naming the field, and appends nothing', async () => {
    const before = await countEvents(t);
    const both = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { ip: '127.0.0.1', tenant: 'acme' }, limit: 10, expiresAt: inFuture(60000), reason: 'x' },
    });
    expect(both.status).toBe(400);
    expect(both.body.fields).toEqual([{ field: 'subject', problem: 'must name exactly one of tenant or ip' }]);
    const past = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { tenant: 'acme' }, limit: 10, expiresAt: '2020-01-01T00:00:00Z', reason: 'x' },
    });
    expect(past.status).toBe(400);
    expect(past.body.fields[0].field).toBe('expiresAt');
    const unknown = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { tenant: 'acme' }, limit: 10, expiresAt: inFuture(60000), reason: 'x', extra: 1 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields[0]).toEqual({ field: 'extra', problem: 'is not a known field' });
    const noReason = await t.request('POST', '/api/rate-limits/overrides', { body: { subject: { tenant: 'acme' }, limit: 10, expiresAt: inFuture(60000) } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields.map((f: { field: string }) => f.field)).toContain('reason');
    expect(await countEvents(t)).toBe(before);
    expect((await t.db.pool.query('SELECT count(*) FROM rm_rate_limit_overrides')).rows[0].count).toBe('0');
  });

  it('revokes an override early (audited) and 404s an unknown one', async () => {
    const grant = await t.request('POST', '/api/rate-limits/overrides', {
      body: { subject: { tenant: 'acme' }, limit: 100, expiresAt: inFuture(60000), reason: 'backfill' },
    });
    const revoked = await t.request('DELETE', `/api/rate-limits/overrides/${grant.body.id}`, { body: { reason: 'done' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ active: false, revokeReason: 'done' });
    expect((await t.request('DELETE', `/api/rate-limits/overrides/${grant.body.id}`, { body: { reason: 'again' } })).status).toBe(409);
    expect((await t.request('DELETE', '/api/rate-limits/overrides/8d7f2b0a-1c4e-4c55-9a9e-000000000000', { body: { reason: 'x' } })).status).toBe(404);
  });
});

describe('rate limits across processes', () => {
  it('share one budget through PostgreSQL', async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_WINDOW_MS: '86400000', RATE_LIMIT_SYNC_MS: '50' };
    const clock = TestClock.running(new Date(middayUtc().getTime() - 86_400_000));
    const a = await startTestApp(env, undefined, { clock });
    const b = await startTestApp({ ...env, OPSLEDGER_ADMIN_TOKEN: a.adminToken }, a.db, { clock });
    try {
      for (let i = 0; i < 4; i++) expect((await a.request('GET', '/api/rate-limits/overrides')).status).toBe(200);
      await waitFor(
        "a's four requests in the shared counters",
        async () => (await a.db.pool.query(`SELECT coalesce(sum(count), 0)::int AS n FROM rate_limit_counters WHERE subject LIKE 'token:%'`)).rows[0].n === 4,
      );
      const fromB: number[] = [];
      for (let i = 0; i < 3; i++) fromB.push((await b.request('GET', '/api/rate-limits/overrides')).status);
      expect(fromB).toEqual([200, 200, 429]);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
