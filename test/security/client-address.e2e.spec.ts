import { loadConfig } from '../../src/config/config';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';

const FORGED = '203.0.113.50';
const DAY_MS = '86400000'; // one window per test: windows are aligned to the clock, a test never straddles one
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
const xff = (address: string) => ({ 'x-forwarded-for': address });

async function grantAddressOverride(t: TestApp, headers: Record<string, string> = {}) {
  const res = await t.request('POST', '/api/rate-limits/overrides', {
    headers,
    body: { subject: { ip: FORGED }, limit: 100, expiresAt: inFuture(3_600_000), reason: 'load test from the partner address' },
  });
  expect(res.status).toBe(201);
  return res;
}

async function auditedClientIp(t: TestApp, requestId: string): Promise<string> {
  await waitForProjections(t);
  const audit = await t.request('GET', '/api/audit?action=rate_limit.override');
  const entry = audit.body.items.find((i: { requestId: string }) => i.requestId === requestId);
  expect(entry).toBeDefined();
  return entry.clientIp;
}

/**
 * The client address (audit log, rate limits, address overrides, failed-authentication limit) is
 * the TCP peer unless the peer is a proxy listed in TRUSTED_PROXIES: an X-Forwarded-For from
 * anyone else is only a claim.
 */
describe('client address from an untrusted peer (TRUSTED_PROXIES empty, the default)', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('records the peer address, not a forged X-Forwarded-For, in the audit log', async () => {
    t = await startTestApp();
    const res = await grantAddressOverride(t, { ...xff('198.51.100.7'), 'x-request-id': 'forged-xff-audit' });
    expect(await auditedClientIp(t, res.headers.get('x-request-id')!)).toBe('127.0.0.1');
  });

  it('does not reset the failed-authentication limit when X-Forwarded-For rotates: 429 with Retry-After, for every token', async () => {
    t = await startTestApp({ AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_MS: DAY_MS });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await t.request('GET', '/api/auth/whoami', { token: `olt_guess${i}`, headers: xff(`198.51.100.${i + 1}`) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const limited = await t.request('GET', '/api/auth/whoami', { token: 'olt_another-guess', headers: xff('192.0.2.200') });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/too many failed authentications from this client address/) });
    expect(limited.body.headers).toBeUndefined(); // headers travel as headers
    // Until the window ends the address gets nothing, not even with a valid token (no oracle for guesses).
    expect((await t.request('GET', '/api/auth/whoami')).status).toBe(429);
    // The public health check stays open.
    expect((await t.request('GET', '/api/health', { token: null })).status).toBe(200);
  });

  it('counts wrong tokens on /api/ops/health too (its own 404 until the limit, then 429)', async () => {
    t = await startTestApp({ AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MS: DAY_MS, OPS_TOKEN: 'ops-secret-0123456789' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await t.request('GET', '/api/ops/health', { token: null, headers: { 'x-ops-token': `guess-${i}`, ...xff(`198.51.100.${i + 1}`) } })).status,
      );
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });

  it('does not reset the per-address request limit when X-Forwarded-For rotates', async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_WINDOW_MS: DAY_MS, RATE_LIMIT_SYNC_MS: '50' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await t.request('GET', '/api/auth/whoami', { token: `olt_guess${i}`, headers: xff(`198.51.100.${i + 1}`) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('cannot claim an address override by sending X-Forwarded-For', async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_WINDOW_MS: DAY_MS, RATE_LIMIT_SYNC_MS: '50' });
    await grantAddressOverride(t); // counts as request 1 of 5
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.request('GET', '/api/rate-limits/overrides', { headers: xff(FORGED) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});

describe('client address behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1/32)', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('uses the forwarded address: audit log, address override and failed-authentication limit', async () => {
    t = await startTestApp({
      TRUSTED_PROXIES: '127.0.0.1/32',
      RATE_LIMIT_PER_MINUTE: '5',
      RATE_LIMIT_WINDOW_MS: DAY_MS,
      RATE_LIMIT_SYNC_MS: '50',
      AUTH_FAILURE_LIMIT: '3',
      AUTH_FAILURE_WINDOW_MS: DAY_MS,
    });
    const res = await grantAddressOverride(t, { ...xff(FORGED), 'x-request-id': 'trusted-xff-audit' });
    expect(await auditedClientIp(t, res.headers.get('x-request-id')!)).toBe(FORGED);

    // The override for the forwarded address applies (far past the default 5).
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await t.request('GET', '/api/rate-limits/overrides', { headers: xff(FORGED) })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);

    // Failures are counted per forwarded client: one client is limited, another is not.
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await t.request('GET', '/api/auth/whoami', { token: `olt_guess${i}`, headers: xff('198.51.100.1') })).status);
    expect(guesses).toEqual([401, 401, 401, 429]);
    expect((await t.request('GET', '/api/auth/whoami', { token: 'olt_other', headers: xff('198.51.100.2') })).status).toBe(401);
    expect((await t.request('GET', '/api/auth/whoami', { headers: xff(FORGED) })).status).toBe(200);
  });
});

describe('TRUSTED_PROXIES configuration', () => {
  it('accepts CIDRs, addresses and proxy-addr range names, and names the variable for anything else', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8,loopback' }).core.trustedProxies).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
      'loopback',
    ]);
    expect(loadConfig({}).core.trustedProxies).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/^TRUSTED_PROXIES: must be a comma-separated list of CIDRs/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '*' })).toThrow(/TRUSTED_PROXIES/);
  });
});
