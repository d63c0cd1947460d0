import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/test-app';

describe('GET|HEAD /api/health', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('answers 200 with status, version and uptime without a token', async () => {
    const res = await t.request('GET', '/api/health', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'healthy', version: expect.any(String), uptimeSeconds: expect.any(Number) });
  });

  it('answers HEAD with the status and no body', async () => {
    const res = await fetch(`${t.url}/api/health`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.request('GET', '/api/docs/json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.paths['/api/health']).toBeDefined();
  });
});

describe('/api/health when the database is gone', () => {
  it('answers 503 unhealthy', async () => {
    const t = await startTestApp();
    // Terminate the app's connections and forbid new ones: the database stops answering.
    const admin = new Client({ connectionString: t.db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    const name = t.db.url.split('/').pop();
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
    try {
      const res = await t.request('GET', '/api/health', { token: null });
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unhealthy');
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await t.close();
    }
  });
});
