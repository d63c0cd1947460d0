import Redis from 'ioredis';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/** The redis-server jest's global setup started (test/support/redis-server.ts). */
function redisBase(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url)
    throw new Error(`TEST_REDIS_URL is not set: ${process.env.TEST_REDIS_UNAVAILABLE ?? 'the global setup starts redis-server (Debian package redis-server)'}`);
  return url;
}

const countEvents = async (t: TestApp) => Number((await t.db.pool.query('SELECT count(*) FROM events')).rows[0].count);
const purgeRows = async (t: TestApp) => (await t.db.pool.query('SELECT key, doc FROM rm_cache_purges ORDER BY key')).rows;

async function seed(r: Redis, prefix: string, n: number): Promise<void> {
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.set(`${prefix}${i}`, 'x');
  await p.exec();
}

describe('throttled cache purge against a real redis-server', () => {
  let t: TestApp;
  let sessions: Redis;
  let pages: Redis;
  const start = (cache: string, body: Record<string, unknown>) => t.request('POST', `/api/caches/${cache}/purge`, { body: { reason: 'test purge', ...body } });
  const finished = (cache: string, id: string) =>
    waitFor(`purge ${id} finished`, async () => {
      const r = await t.request('GET', `/api/caches/${cache}/purges/${id}`);
      return r.body.state !== 'running' ? r.body : null;
    });

  beforeEach(async () => {
    const base = redisBase();
    sessions = new Redis(`${base}/1`);
    pages = new Redis(`${base}/2`);
    await Promise.all([sessions.flushdb(), pages.flushdb()]);
    t = await startTestApp({
      CACHES: `sessions=${base}/1,pages=${base}/2,locked=redis://:hunter2@127.0.0.1:1/0`,
      CACHE_PURGE_KEYS_PER_SECOND: '200',
      CACHE_PURGE_BATCH: '50',
      CACHE_PURGE_PROGRESS_MS: '200',
      CACHE_CONNECT_TIMEOUT_MS: '500',
    });
  });
  afterEach(async () => {
    await t.close();
    sessions.disconnect();
    pages.disconnect();
  });

  it('removes the keys matching a pattern in batches at the configured rate, tracked by events and audited', async () => {
    await seed(sessions, 'user:', 600);
    await seed(sessions, 'keep:', 40);
    const res = await start('sessions', { pattern: 'user:*', reason: 'stale profiles' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ cache: 'sessions', match: { pattern: 'user:*' }, state: 'running', removed: 0, startedBy: 'bootstrap-admin' });
    const done = await finished('sessions', res.body.id);
    expect(done).toMatchObject({ state: 'completed', scanned: 600, removed: 600, error: null });
    expect(await sessions.dbsize()).toBe(40);
    expect((await sessions.keys('user:*')).length).toBe(0);
    // 200 keys of burst, then 400 at 200 keys/s: at least 2 s (less a scheduling margin).
    expect(Date.parse(done.finishedAt) - Date.parse(done.startedAt)).toBeGreaterThanOrEqual(1800);

    const { rows } = await t.db.pool.query(
      `SELECT event_id, type, data, metadata FROM events WHERE type LIKE 'CachePurge%' OR (type = 'OperatorActionRecorded' AND data->>'action' LIKE 'cache.%') ORDER BY position`,
    );
    const audit = rows.find((r) => r.type === 'OperatorActionRecorded');
    expect(audit.data).toMatchObject({
      action: 'cache.purge',
      target: 'cache:sessions',
      reason: 'stale profiles',
      outcome: 'applied',
      details: { pattern: 'user:*' },
    });
    const types = rows.filter((r) => r.type !== 'OperatorActionRecorded').map((r) => r.type);
    expect(types[0]).toBe('CachePurgeStarted');
    expect(types.at(-1)).toBe('CachePurgeFinished');
    expect(types.filter((x) => x === 'CachePurgeProgressed').length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.type !== 'OperatorActionRecorded').every((r) => r.metadata.causationId === audit.event_id)).toBe(true);
    expect(rows.at(-1).data).toMatchObject({ outcome: 'completed', removed: 600 });
    const progress = rows.filter((r) => r.type === 'CachePurgeProgressed').map((r) => r.data.removed);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress); // counts only grow
  });

  it('one purge per cache and pattern at a time (409); a cancel stops it with the count so far; then the pattern is free again', async () => {
    await seed(pages, 'page:', 800);
    const first = await start('pages', { pattern: 'page:*' });
    expect(first.status).toBe(202);
    const again = await start('pages', { pattern: 'page:*' });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain(`purge ${first.body.id} of pattern "page:*" in cache "pages" is running`);
    // Another pattern, or the same pattern in another cache, runs beside it.
    expect((await start('pages', { pattern: 'other:*' })).status).toBe(202);
    expect((await start('sessions', { pattern: 'page:*' })).status).toBe(202);

    await waitFor('some keys removed', async () => (await pages.dbsize()) < 700);
    const cancel = await t.request('POST', `/api/caches/pages/purges/${first.body.id}/cancel`, { body: { reason: 'wrong pattern' } });
    expect(cancel.status).toBe(202);
    expect(cancel.body.cancelRequested).toMatchObject({ by: 'bootstrap-admin', reason: 'wrong pattern' });
    const done = await finished('pages', first.body.id);
    expect(done.state).toBe('cancelled');
    expect(done.removed).toBeGreaterThan(0);
    expect(done.removed).toBeLessThan(800);
    expect(await pages.dbsize()).toBe(800 - done.removed);

    expect((await t.request('POST', `/api/caches/pages/purges/${first.body.id}/cancel`, { body: { reason: 'again' } })).status).toBe(409);
    expect((await t.request('POST', '/api/caches/pages/purges/8d7f2b0a-1c4e-4c55-9a9e-000000000000/cancel', { body: { reason: 'x' } })).status).toBe(404);
    const next = await start('pages', { pattern: 'page:*' });
    expect(next.status).toBe(202);
    expect(await finished('pages', next.body.id)).toMatchObject({ state: 'completed', removed: 800 - done.removed });
    const audit = await t.db.pool.query(
      `SELECT data->>'action' AS action FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'cache.purge_cancel'`,
    );
    expect(audit.rowCount).toBe(1);
    const list = await t.request('GET', '/api/caches/pages/purges');
    expect(list.body.purges.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([first.body.id, next.body.id]));
  });

  it('a pattern matching every key needs confirmAll: without it 400 naming confirmAll, nothing appended, no key touched', async () => {
    await seed(sessions, 'a:', 30);
    const events = await countEvents(t);
    const rows = await purgeRows(t);
    for (const pattern of ['*', '**']) {
      const res = await start('sessions', { pattern });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual([{ field: 'confirmAll', problem: `must be true to purge pattern "${pattern}": it matches every key of the cache` }]);
    }
    expect(await countEvents(t)).toBe(events);
    expect(await purgeRows(t)).toEqual(rows);
    expect(await sessions.dbsize()).toBe(30);
    const all = await start('sessions', { pattern: '*', confirmAll: true, reason: 'cold start' });
    expect(all.status).toBe(202);
    expect(await finished('sessions', all.body.id)).toMatchObject({ state: 'completed', removed: 30 });
    expect(await sessions.dbsize()).toBe(0);
  });

  it('purges one key; bad input is a 400 naming the field, an unknown cache 404, each appending nothing', async () => {
    await seed(sessions, 'k', 3);
    const one = await start('sessions', { key: 'k1' });
    expect(one.status).toBe(202);
    expect(await finished('sessions', one.body.id)).toMatchObject({ state: 'completed', match: { key: 'k1' }, scanned: 1, removed: 1 });
    expect((await sessions.keys('*')).sort()).toEqual(['k0', 'k2']);

    const events = await countEvents(t);
    const rows = await purgeRows(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ key: 'k0', pattern: 'k*', reason: 'r' }, 'key'],
      [{ reason: 'r' }, 'key'],
      [{ pattern: '', reason: 'r' }, 'pattern'],
      [{ pattern: 'k*' }, 'reason'],
      [{ pattern: 'k*', reason: 'r', confirmAll: 'yes' }, 'confirmAll'],
      [{ pattern: 'k*', reason: 'r', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', '/api/caches/sessions/purge', { body });
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))]).toEqual([field]);
    }
    const unknown = await start('nope', { pattern: 'k*' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('no cache named "nope"; GET /api/caches lists them (CACHES)');
    expect(await countEvents(t)).toBe(events);
    expect(await purgeRows(t)).toEqual(rows);
    expect(await sessions.dbsize()).toBe(2);
  });

  it('serves no credentials; a cache that cannot be reached ends the purge as failed, saying why', async () => {
    const list = await t.request('GET', '/api/caches');
    expect(list.body).toEqual({
      keysPerSecond: 200,
      caches: [
        { name: 'sessions', address: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+\/1$/) },
        { name: 'pages', address: expect.stringMatching(/\/2$/) },
        { name: 'locked', address: 'redis://127.0.0.1:1/0' },
      ],
    });
    const res = await start('locked', { pattern: 'x:*' });
    expect(res.status).toBe(202);
    const done = await finished('locked', res.body.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/ECONNREFUSED|Connection is closed|connect/);
    const everything = JSON.stringify([list.body, done, (await t.db.pool.query(`SELECT data FROM events WHERE type LIKE 'CachePurge%'`)).rows]);
    expect(everything).not.toContain('hunter2');
  });
});

describe('cache purges across processes', () => {
  it('a cancel taken by another process stops the purge at its next progress step; a graceful stop ends a running purge as cancelled', async () => {
    const url = `${redisBase()}/4`;
    const redis = new Redis(url);
    await redis.flushdb();
    await seed(redis, 'slow:', 2000);
    const env = { CACHES: `slow=${url}`, CACHE_PURGE_KEYS_PER_SECOND: '100', CACHE_PURGE_BATCH: '20', CACHE_PURGE_PROGRESS_MS: '200' };
    const a = await startTestApp(env);
    const b = await startTestApp({ ...env, OPSLEDGER_ADMIN_TOKEN: a.adminToken }, a.db);
    const row = async (id: string) => (await a.db.pool.query('SELECT doc FROM rm_cache_purges WHERE key = $1', [id])).rows[0].doc;
    let aStopped = false;
    try {
      const first = await a.request('POST', '/api/caches/slow/purge', { body: { pattern: 'slow:*', reason: 'runs on a' } });
      expect(first.status).toBe(202);
      await waitFor('progress recorded', async () => (await row(first.body.id)).removed > 0);
      expect((await b.request('POST', `/api/caches/slow/purges/${first.body.id}/cancel`, { body: { reason: 'from b' } })).status).toBe(202);
      const cancelled = await waitFor('cancelled by a', async () => ((await row(first.body.id)).state === 'cancelled' ? row(first.body.id) : null));
      expect(cancelled.removed).toBeLessThan(2000);
      expect(await redis.dbsize()).toBe(2000 - cancelled.removed);

      const second = await a.request('POST', '/api/caches/slow/purge', { body: { pattern: 'slow:*', reason: 'cut short by a stop' } });
      expect(second.status).toBe(202);
      await a.app.close(); // a's process stops (its database stays: b and the test use it)
      aStopped = true;
      expect(await row(second.body.id)).toMatchObject({ state: 'cancelled', error: 'the process shut down' });
    } finally {
      if (!aStopped) await a.app.close();
      await b.close();
      await a.db.drop();
      redis.disconnect();
    }
  });
});
