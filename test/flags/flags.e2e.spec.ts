import { FlagExpiryLoop } from '../../src/flags/flag-expiry.loop';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitForStream } from '../support/wait-for-events';

const countEvents = async (t: TestApp) => Number((await t.db.pool.query('SELECT count(*) FROM events')).rows[0].count);
const flagRows = async (t: TestApp) => (await t.db.pool.query('SELECT key, doc FROM rm_flags ORDER BY key')).rows;
const define = (t: TestApp, body: Record<string, unknown>) => t.request('POST', '/api/flags', { body: { description: 'd', reason: 'test', ...body } });

describe('global feature flags', () => {
  let t: TestApp;
  let clock: TestClock;
  let viewer: string;
  beforeEach(async () => {
    clock = TestClock.running();
    // The loop's own timer far away: these tests call sweep() when they mean it.
    t = await startTestApp({ FLAG_EXPIRY_SWEEP_MS: '3600000' }, undefined, { clock });
    viewer = (await t.request('POST', '/api/auth/tokens', { body: { name: 'app-reader', role: 'viewer', reason: 'flags test' } })).body.token;
  });
  afterEach(async () => t.close());

  it('defines a flag and sets it with a reason: audited, linked by causation, served to a viewer token', async () => {
    const created = await define(t, { key: 'checkout.new-flow', type: 'boolean', defaultValue: false, description: 'new checkout' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'checkout.new-flow', type: 'boolean', value: false, source: 'default' });
    const set = await t.request('PUT', '/api/flags/checkout.new-flow/value', { body: { value: true, reason: 'launch day' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ value: true, source: 'set', expiresAt: null, setBy: 'bootstrap-admin' });

    const { rows } = await t.db.pool.query(
      `SELECT event_id, type, data, metadata FROM events WHERE type IN ('OperatorActionRecorded', 'FlagValueSet') ORDER BY position`,
    );
    const audit = rows.find((r) => r.type === 'OperatorActionRecorded' && r.data.action === 'flag.set');
    const effect = rows.find((r) => r.type === 'FlagValueSet');
    expect(audit.data).toMatchObject({ target: 'flag:checkout.new-flow', reason: 'launch day', outcome: 'applied', details: { value: true, expiresAt: null } });
    expect(effect.metadata).toMatchObject({ causationId: audit.event_id, actor: 'bootstrap-admin' });

    const list = await t.request('GET', '/api/flags', { token: viewer });
    expect(list.status).toBe(200);
    expect(list.body.flags).toEqual([expect.objectContaining({ key: 'checkout.new-flow', value: true, source: 'set' })]);
    expect((await t.request('GET', '/api/flags/checkout.new-flow', { token: viewer })).body.value).toBe(true);
    // A viewer reads; only an admin changes.
    expect((await t.request('PUT', '/api/flags/checkout.new-flow/value', { token: viewer, body: { value: false, reason: 'x' } })).status).toBe(403);

    const history = await t.request('GET', '/api/flags/checkout.new-flow/history');
    expect(history.body.events.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['FlagDefined', 'bootstrap-admin'],
      ['FlagValueSet', 'bootstrap-admin'],
    ]);
    expect(history.body.events[1].causationId).toBe(audit.event_id);

    const cleared = await t.request('DELETE', '/api/flags/checkout.new-flow/value', { body: { reason: 'rolled back' } });
    expect(cleared.body).toMatchObject({ value: false, source: 'default' });
    expect((await t.request('DELETE', '/api/flags/checkout.new-flow/value', { body: { reason: 'again' } })).status).toBe(409);
    expect(
      (await t.request('PATCH', '/api/flags/checkout.new-flow', { body: { defaultValue: true, reason: 'the new flow is the default' } })).body,
    ).toMatchObject({ value: true, source: 'default', description: 'new checkout' });
  });

  it('GET /api/flags answers 304 to If-None-Match while nothing changed, and a new ETag after a change', async () => {
    await define(t, { key: 'banner', type: 'string', defaultValue: 'off' });
    const first = await t.request('GET', '/api/flags', { token: viewer });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await t.request('GET', '/api/flags', { token: viewer, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    await t.request('PUT', '/api/flags/banner/value', { body: { value: 'maintenance at 18:00', reason: 'announce' } });
    const changed = await t.request('GET', '/api/flags', { token: viewer, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('a temporary value stops being served at expiresAt (read time); the loop then records FlagValueExpired, audited', async () => {
    await define(t, { key: 'limits.json', type: 'json', defaultValue: { max: 10 } });
    const expiresAt = new Date(clock.ms() + 60_000).toISOString();
    await t.request('PUT', '/api/flags/limits.json/value', { body: { value: { max: 50 }, expiresAt, reason: 'load test' } });
    const before = await t.request('GET', '/api/flags', { token: viewer });
    expect(before.body.flags[0]).toMatchObject({ value: { max: 50 }, source: 'set', expiresAt });

    clock.advance(61_000);
    const eventsAtExpiry = await countEvents(t);
    const after = await t.request('GET', '/api/flags', { token: viewer, headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(after.body.flags[0]).toMatchObject({ value: { max: 10 }, source: 'default', expiresAt: null });
    expect(await countEvents(t)).toBe(eventsAtExpiry); // served from the event's expiresAt, nothing recorded yet

    expect(await t.app.get(FlagExpiryLoop).sweep()).toEqual(['limits.json']);
    expect(await t.app.get(FlagExpiryLoop).sweep()).toEqual([]);
    const history = (await t.request('GET', '/api/flags/limits.json/history')).body.events;
    expect(history.at(-1)).toMatchObject({ type: 'FlagValueExpired', actor: 'system', data: { expiresAt } });
    const audit = await t.db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'flag.expire'`);
    expect(audit.rows.map((r) => [r.data.actor, r.data.target])).toEqual([['system', 'flag:limits.json']]);
    expect((await flagRows(t))[0].doc.current).toBeNull();
  });

  it('rejects bad input naming the field, appending nothing and leaving the read model as it was', async () => {
    await define(t, { key: 'rate', type: 'number', defaultValue: 1 });
    const events = await countEvents(t);
    const rows = await flagRows(t);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/flags', { key: 'bad key!', description: 'd', type: 'boolean', defaultValue: true, reason: 'r' }, 'key'],
      ['POST', '/api/flags', { key: 'ok', description: 'd', type: 'yaml', defaultValue: true, reason: 'r' }, 'type'],
      ['POST', '/api/flags', { key: 'ok', description: 'd', type: 'boolean', defaultValue: 'yes', reason: 'r' }, 'defaultValue'],
      ['POST', '/api/flags', { key: 'ok', description: 'd', type: 'boolean', defaultValue: true }, 'reason'],
      ['PUT', '/api/flags/rate/value', { value: 'fast', reason: 'r' }, 'value'],
      ['PUT', '/api/flags/rate/value', { value: 2, reason: 'r', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      ['PUT', '/api/flags/rate/value', { value: 2, reason: 'r', expiresAt: 'tomorrow' }, 'expiresAt'],
      ['PUT', '/api/flags/rate/value', { value: 2, reason: 'r', extra: 1 }, 'extra'],
      ['PATCH', '/api/flags/rate', { defaultValue: '2', reason: 'r' }, 'defaultValue'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await t.request(method, path, { body });
      expect([path, res.status]).toEqual([path, 400]);
      expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))]).toEqual([field]);
      expect(res.body.message.startsWith(`${field}: `)).toBe(true);
    }
    expect((await t.request('PUT', '/api/flags/nope/value', { body: { value: 2, reason: 'r' } })).status).toBe(404);
    expect((await define(t, { key: 'rate', type: 'number', defaultValue: 5 })).status).toBe(409);
    expect(await countEvents(t)).toBe(events);
    expect(await flagRows(t)).toEqual(rows);
  });
});

describe('flag expiry loop', () => {
  it('records an expired value on its own timer, in one process of two', async () => {
    const env = { FLAG_EXPIRY_SWEEP_MS: '100' };
    const a = await startTestApp(env);
    const b = await startTestApp({ ...env, OPSLEDGER_ADMIN_TOKEN: a.adminToken }, a.db);
    try {
      await define(a, { key: 'short', type: 'boolean', defaultValue: false });
      expect(
        (await a.request('PUT', '/api/flags/short/value', { body: { value: true, expiresAt: new Date(Date.now() + 1500).toISOString(), reason: 'brief' } }))
          .status,
      ).toBe(200);
      await waitForStream(a.db.pool, 'flag-short', 'the expiry recorded', (types) => types.includes('FlagValueExpired'));
      // Give the other process several sweeps: the expiry is recorded once.
      await new Promise((r) => setTimeout(r, 500));
      const { rows } = await a.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'FlagValueExpired'`);
      expect(rows[0].n).toBe(1);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
