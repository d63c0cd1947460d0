import { startTestApp, TestApp } from '../support/test-app';

describe('security headers (@fastify/helmet)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('every answer carries a CSP without inline script, no framing, nosniff and no referrer', async () => {
    const res = await t.request('GET', '/api/health', { token: null });
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('Swagger UI gets inline styles (its page has a <style> element) but still no inline script', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self';");
    const html = await res.text();
    expect(html).not.toMatch(/<script>[^<]/);
  });

  it('an unknown API path is still the JSON 404, not the console page', async () => {
    const res = await t.request('GET', '/api/no-such-route');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404 });
  });
});
