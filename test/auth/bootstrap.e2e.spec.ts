import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const newValue = () => `olt_${randomBytes(32).toString('base64url')}`;

// Each test starts from an empty database and starts the processes its story needs.
describe('OPSLEDGER_ADMIN_TOKEN bootstrap', () => {
  let db: TestDatabase;
  let apps: TestApp[] = [];
  const first = newValue();
  const second = newValue();
  const env = { AUTH_CACHE_MS: '200' };

  beforeEach(async () => (db = await createTestDatabase(40)));
  afterEach(async () => {
    for (const a of apps) await a.close();
    apps = [];
    await db.drop();
  });

  async function bootstrapEvents(): Promise<string[]> {
    const { rows } = await db.pool.query(`SELECT type FROM events WHERE stream_id LIKE 'token-bootstrap-%' ORDER BY position`);
    return rows.map((r) => r.type);
  }
  async function activeBootstrapTokens(): Promise<number> {
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM rm_tokens WHERE doc->>'name' = 'bootstrap-admin' AND doc->>'revokedAt' IS NULL`);
    return rows[0].n;
  }
  async function start(value: string) {
    const app = await startTestApp({ ...env, OPSLEDGER_ADMIN_TOKEN: value }, db);
    apps.push(app);
    return app;
  }

  it('two processes starting at once with one value issue exactly one token, and both accept it', async () => {
    const [a, b] = await Promise.all([start(first), start(first)]);
    expect(await bootstrapEvents()).toEqual(['TokenIssued']);
    for (const app of [a, b]) {
      const me = await app.request('GET', '/api/auth/whoami', { token: first });
      expect(me.body).toEqual({ name: 'bootstrap-admin', role: 'admin', tenant: null });
    }
    const audits = await db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'token.issue'`);
    expect(audits.rows.map((r) => r.data.actor)).toEqual(['system']);
  });

  it('a restart with the same value appends no token event', async () => {
    await start(first);
    // Other capabilities append at start (a worker's WorkerStarted): count token facts only.
    const tokenEvents = `SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'token-%' OR (type = 'OperatorActionRecorded' AND data->>'action' LIKE 'token.%')`;
    const before = (await db.pool.query(tokenEvents)).rows[0].n;
    await start(first);
    expect((await db.pool.query(tokenEvents)).rows[0].n).toBe(before);
  });

  it('a changed value (two processes at once) revokes the old token once and issues the new one once', async () => {
    await start(first);
    const [c] = await Promise.all([start(second), start(second)]);
    expect(await bootstrapEvents()).toEqual(['TokenIssued', 'TokenRevoked', 'TokenIssued']);
    expect(await activeBootstrapTokens()).toBe(1);
    expect((await c.request('GET', '/api/auth/whoami', { token: second })).status).toBe(200);
    expect((await c.request('GET', '/api/auth/whoami', { token: first })).status).toBe(401);
  });

  it('processes started with the old value stop accepting it within AUTH_CACHE_MS', async () => {
    const old = await start(first);
    expect((await old.request('GET', '/api/auth/whoami', { token: first })).status).toBe(200); // now in its cache
    await start(second);
    await waitFor(
      'the old process to refuse the revoked value',
      async () => (await old.request('GET', '/api/auth/whoami', { token: first })).status === 401,
      2000,
    );
    expect((await old.request('GET', '/api/auth/whoami', { token: second })).status).toBe(200);
  });

  async function startFails(value: string): Promise<string> {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SERVER_KEYS, DATABASE_URL: db.url, OPSLEDGER_ADMIN_TOKEN: value });
    const app = await createApp(config, db.url, pino({ level: 'silent' }));
    try {
      await app.init();
    } catch (err) {
      return (err as Error).message;
    } finally {
      await app.close();
    }
    throw new Error('start-up succeeded');
  }

  it('refuses to start with a value that was revoked, naming the variable', async () => {
    await start(first);
    await start(second);
    const before = await bootstrapEvents();
    expect(await startFails(first)).toMatch(/^OPSLEDGER_ADMIN_TOKEN: this value was revoked/);
    expect(await bootstrapEvents()).toEqual(before);
  });

  it('refuses a value too short to be a secret', async () => {
    expect(await startFails('short')).toMatch(/^OPSLEDGER_ADMIN_TOKEN: must be at least 16 characters/);
  });
});
