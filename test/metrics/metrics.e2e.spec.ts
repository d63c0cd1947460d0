import { startTestApp, TestApp } from '../support/test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('serves Prometheus text with HTTP counts by route template', async () => {
    await t.request('GET', '/api/health', { token: null });
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/opsledger_http_requests_total\{method="GET",route="\/api\/health",status="200",service="opsledger"\} [1-9]/);
    expect(text).toContain('opsledger_process_resident_memory_bytes');
  });

  it('needs a token', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-secret' } })).status).toBe(401);
  });

  it('accepts METRICS_TOKEN, for /metrics only', async () => {
    const m = await startTestApp({ METRICS_TOKEN: 'prometheus-scrape-secret-0123' });
    try {
      const ok = await fetch(`${m.url}/metrics`, { headers: { authorization: 'Bearer prometheus-scrape-secret-0123' } });
      expect(ok.status).toBe(200);
      expect((await m.request('GET', '/api/auth/whoami', { token: 'prometheus-scrape-secret-0123' })).status).toBe(401);
    } finally {
      await m.close();
    }
  });
});
