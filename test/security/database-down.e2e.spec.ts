import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { runMigrations } from '../../src/database/migrate';
import { startEmbeddedPgProcess } from '../support/embedded-pg';
import { freePort } from '../support/free-port';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { MemoryLog } from '../observability/memory-log';

const TARGET = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } };
// AUTH_CACHE_MS=0: the guard asks the database on every request, as after a cache expiry.
const ENV = { AUTH_CACHE_MS: '0', POLL_SCHEDULER_ENABLED: 'false', WORKER_CONCURRENCY: '0', DB_UNAVAILABLE_RETRY_AFTER_SECONDS: '7' };

async function expectUnavailable(t: TestApp): Promise<void> {
  const calls: [string, string, unknown?][] = [
    ['GET', '/api/targets'],
    ['POST', '/api/targets', { ...TARGET, name: 'during-outage' }],
    ['GET', '/api/audit'],
    ['GET', '/api/timeline'],
    ['GET', '/api/jobs'],
  ];
  for (const [method, url, body] of calls) {
    const res = await t.request(method, url, { body });
    expect({ url, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({ url, status: 503, retryAfter: '7' });
    expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/database cannot be reached.*retry after 7 s/) });
  }
  // The liveness check says so in its own words.
  const health = await t.request('GET', '/api/health', { token: null });
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({ status: 'unhealthy', database: 'unreachable' });
}

async function expectRecovered(t: TestApp, name: string): Promise<void> {
  await waitFor(
    'GET /api/targets to answer 200 again',
    async () => {
      const res = await t.request('GET', '/api/targets');
      if (res.status !== 200) throw new Error(`still ${res.status}: ${JSON.stringify(res.body)}`);
      return true;
    },
    30_000,
    200,
  );
  expect((await t.request('POST', '/api/targets', { body: { ...TARGET, name } })).status).toBe(201);
  expect((await t.request('GET', '/api/health', { token: null })).status).toBe(200);
}

describe('PostgreSQL unreachable under a running app', () => {
  it('server stopped (connection refused): 503 with Retry-After and a JSON body on every route, then recovers by itself once it is back', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-dbdown-'));
    const port = await freePort();
    let pg = await startEmbeddedPgProcess(dataDir, port);
    let t: TestApp | null = null;
    const pool = new Pool({ connectionString: pg.url, max: 2 });
    pool.on('error', () => undefined);
    try {
      await runMigrations(pg.url);
      const db: TestDatabase = { url: pg.url, pool, drop: async () => undefined };
      t = await startTestApp(ENV, db);
      expect((await t.request('POST', '/api/targets', { body: TARGET })).status).toBe(201);

      await pg.stop();
      await expectUnavailable(t);

      pg = await startEmbeddedPgProcess(dataDir, port);
      await expectRecovered(t, 'after-restart');
      // Nothing from the outage was half-written.
      expect((await pool.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = 'target-instance::during-outage'`)).rows[0].n).toBe(0);
    } finally {
      await t?.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('connections terminated and refused by the server (admin shutdown, database not accepting connections): 503, then recovers', async () => {
    const db = await createTestDatabase();
    const name = new URL(db.url).pathname.slice(1);
    const admin = new Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    const log = new MemoryLog();
    const t = await startTestApp({ ...ENV, LOG_LEVEL: 'info' }, db, { logDestination: log });
    try {
      expect((await t.request('POST', '/api/targets', { body: TARGET })).status).toBe(201);
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await expectUnavailable(t);
      // Logged as the outage it is, not as an unhandled error.
      expect(log.find('http.database_unavailable', { method: 'GET', path: '/api/jobs', err: /./ })).not.toEqual([]);
      expect(log.find('http.unhandled_error')).toEqual([]);

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await expectRecovered(t, 'after-reopen');
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await t.close();
    }
  }, 120_000);
});
