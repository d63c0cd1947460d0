import { MaintenanceWindowLoop } from '../../src/maintenance/maintenance-window.loop';
import { MaintenanceWindows } from '../../src/maintenance/maintenance-windows';
import { MemoryLog } from '../observability/memory-log';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';

const minute = 60_000;
const lastPosition = async (t: TestApp) => (await t.db.pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM events')).rows[0].p;
const rmRows = async (t: TestApp) => (await t.db.pool.query('SELECT key, doc FROM rm_maintenance ORDER BY key')).rows;
const INACTIVE = { active: false, mode: null, banner: null, startsAt: null, endsAt: null };
const banner = 'Scheduled maintenance: changes are paused until 14:00 UTC.';

describe('per-tenant maintenance', () => {
  let t: TestApp;
  let clock: TestClock;
  const tokens: Record<string, string> = {};
  const put = (tenant: string, body: Record<string, unknown>, token?: string) =>
    t.request('PUT', `/api/tenants/${tenant}/maintenance`, { token, body: { reason: 'database upgrade', banner, ...body } });
  const end = (tenant: string, token?: string, reason = 'done early') => t.request('DELETE', `/api/tenants/${tenant}/maintenance`, { token, body: { reason } });
  const publicStatus = (tenant: string) => t.request('GET', `/api/maintenance/${tenant}`, { token: null });
  const at = (ms: number) => new Date(clock.ms() + ms).toISOString();

  beforeEach(async () => {
    clock = TestClock.running();
    // The window loop's own timer far away: these tests sweep when they mean it.
    t = await startTestApp({ MAINTENANCE_SWEEP_MS: '3600000', MAINTENANCE_RETRY_AFTER_SECONDS: '120' }, undefined, { clock });
    for (const [name, role, tenant] of [
      ['acme-admin', 'admin', 'acme'],
      ['globex-admin', 'admin', 'globex'],
      ['ops-viewer', 'viewer', null],
    ] as const) {
      const res = await t.request('POST', '/api/auth/tokens', { body: { name, role, tenant, reason: 'maintenance test' } });
      expect(res.status).toBe(201);
      tokens[name] = res.body.token;
    }
  });
  afterEach(async () => t.close());

  it('starts now and ends early: audited in one unit, effects linked by causation and carrying the tenant; read model and public status follow', async () => {
    expect((await publicStatus('acme')).body).toEqual(INACTIVE);
    const started = await put('acme', { mode: 'read_only' });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      tenant: 'acme',
      status: 'active',
      window: { mode: 'read_only', banner, endsAt: null, scheduledBy: 'bootstrap-admin' },
    });

    const { rows } = await t.db.pool.query(
      `SELECT event_id, type, data, metadata FROM events WHERE stream_id = 'maintenance-acme' OR type = 'OperatorActionRecorded' ORDER BY position`,
    );
    const entry = rows.find((r) => r.type === 'OperatorActionRecorded' && r.data.action === 'maintenance.schedule');
    expect(entry.data).toMatchObject({
      target: 'tenant:acme',
      reason: 'database upgrade',
      outcome: 'applied',
      actor: 'bootstrap-admin',
      details: { tenant: 'acme', mode: 'read_only' },
    });
    const effects = rows.filter((r) => r.type.startsWith('Maintenance'));
    expect(effects.map((r) => r.type)).toEqual(['MaintenanceScheduled', 'MaintenanceStarted']);
    for (const e of effects) expect(e.metadata).toMatchObject({ causationId: entry.event_id, actor: 'bootstrap-admin', tenant: 'acme' });

    const status = await publicStatus('acme');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ active: true, mode: 'read_only', banner, startsAt: started.body.window.startsAt, endsAt: null });
    expect(status.headers.get('cache-control')).toBe('no-cache');
    expect((await t.request('GET', '/api/tenants/acme/maintenance', { token: tokens['ops-viewer'] })).body.status).toBe('active');
    expect(t.app.get(MaintenanceWindows).activeFor('acme', clock.now())).toMatchObject({ tenant: 'acme', mode: 'read_only', banner, endsAt: null });
    expect(
      t.app
        .get(MaintenanceWindows)
        .activeAt(clock.now())
        .map((m) => m.tenant),
    ).toEqual(['acme']);

    const ended = await end('acme');
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'none', window: null, last: { how: 'ended_early', by: 'bootstrap-admin', reason: 'done early' } });
    expect((await publicStatus('acme')).body).toEqual(INACTIVE);
    expect(t.app.get(MaintenanceWindows).activeFor('acme', clock.now())).toBeNull();
    // Nothing left to end: 409, nothing appended.
    const before = await lastPosition(t);
    expect((await end('acme')).status).toBe(409);
    expect(await lastPosition(t)).toBe(before);
  });

  it('an unknown tenant and one without a window answer the public status alike (no enumeration); the status needs no token', async () => {
    await put('acme', { mode: 'offline', startsAt: at(60 * minute) });
    await end('acme', undefined, 'called off');
    const none = await publicStatus('acme');
    const unknown = await publicStatus('never-heard-of');
    expect([none.status, none.body]).toEqual([200, INACTIVE]);
    expect([unknown.status, unknown.body]).toEqual([200, INACTIVE]);
    // An upcoming window is announced, not active.
    await put('acme', { mode: 'offline', startsAt: at(60 * minute) });
    expect((await publicStatus('acme')).body).toMatchObject({ active: false, mode: 'offline', banner });
  });

  it('a tenant-scoped admin manages its own tenant only; a viewer cannot change; nothing appended when refused', async () => {
    const own = await put('acme', { mode: 'read_only', startsAt: at(60 * minute) }, tokens['acme-admin']);
    expect(own.status).toBe(200);
    expect(own.body.window.scheduledBy).toBe('acme-admin');
    const before = await lastPosition(t);
    const foreign = await put('globex', { mode: 'offline' }, tokens['acme-admin']);
    const missing = await put('nobody', { mode: 'offline' }, tokens['acme-admin']);
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(foreign.body).toEqual(missing.body);
    expect((await end('globex', tokens['acme-admin'])).status).toBe(404);
    expect((await t.request('GET', '/api/tenants/globex/maintenance', { token: tokens['acme-admin'] })).status).toBe(404);
    expect((await put('acme', { mode: 'offline' }, tokens['ops-viewer'])).status).toBe(403);
    expect(await lastPosition(t)).toBe(before);
    // The list: a scoped token sees its own tenant only; the unscoped admin sees every tenant.
    await put('globex', { mode: 'read_only', startsAt: at(60 * minute) });
    expect((await t.request('GET', '/api/maintenance', { token: tokens['acme-admin'] })).body.items.map((i: { tenant: string }) => i.tenant)).toEqual(['acme']);
    expect((await t.request('GET', '/api/maintenance')).body.items.map((i: { tenant: string }) => i.tenant)).toEqual(['acme', 'globex']);
  });

  it.each([
    ['endsAt', { mode: 'read_only', endsAt: 'PAST' }, 'must be in the future'],
    ['endsAt', { mode: 'read_only', startsAt: 'IN_2H', endsAt: 'IN_1H' }, 'must be after startsAt'],
    ['startsAt', { mode: 'read_only', startsAt: 'PAST' }, 'must not be in the past (leave it out to start now)'],
    ['startsAt', { mode: 'read_only', startsAt: 'tomorrow' }, 'must be an RFC 3339 timestamp'],
    ['mode', { mode: 'down' }, 'must be one of read_only, offline'],
    ['banner', { mode: 'read_only', banner: '' }, 'must not be empty'],
    ['banner', { mode: 'read_only', banner: 'LONG' }, 'banner must be shorter than or equal to 500 characters'],
    ['reason', { mode: 'read_only', reason: '' }, 'reason should not be empty'],
    ['until', { mode: 'read_only', until: 'soon' }, 'is not a known field'],
  ])('bad input (%s: %j) is a 400 naming the field; nothing appended, read model unchanged', async (field, body, problem) => {
    await put('acme', { mode: 'offline', startsAt: at(60 * minute) });
    const rowsBefore = await rmRows(t);
    const before = await lastPosition(t);
    const times: Record<string, string> = { PAST: at(-minute), IN_1H: at(60 * minute), IN_2H: at(120 * minute), LONG: 'x'.repeat(501) };
    const resolved = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' && times[v] ? times[v] : v]));
    const res = await put('acme', resolved);
    expect(res.status).toBe(400);
    expect(res.body.fields).toContainEqual({ field, problem });
    expect(await lastPosition(t)).toBe(before);
    expect(await rmRows(t)).toEqual(rowsBefore);
  });

  it('a scheduled window takes effect by the clock, without an event; the loop records its opening and closing; the timeline shows the period', async () => {
    const from = new Date(Date.now() - minute).toISOString();
    const startsAt = at(60 * minute);
    const endsAt = at(120 * minute);
    expect((await put('acme', { mode: 'read_only', startsAt, endsAt }, tokens['acme-admin'])).status).toBe(200);
    const write = () => t.request('POST', '/api/auth/tokens', { token: tokens['acme-admin'], body: { name: `x-${Date.now()}`, role: 'viewer', reason: 'r' } });
    const webhookWrite = () =>
      t.request('POST', '/api/webhooks/subscriptions', {
        token: tokens['acme-admin'],
        body: { url: 'https://hooks.example/x', eventTypes: ['RunFailed'], reason: 'r' },
      });
    expect((await webhookWrite()).status).toBe(201);
    const loop = t.app.get(MaintenanceWindowLoop);
    expect(await loop.sweep()).toEqual([]);

    clock.advance(61 * minute);
    const before = await lastPosition(t);
    const refused = await webhookWrite();
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ statusCode: 503, maintenance: { tenant: 'acme', mode: 'read_only', banner, startsAt, endsAt } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(58 * 60);
    expect(retryAfter).toBeLessThanOrEqual(59 * 60 + 1);
    expect(await lastPosition(t)).toBe(before); // the window opened by the clock alone
    expect((await t.request('GET', '/api/webhooks/subscriptions', { token: tokens['acme-admin'] })).status).toBe(200); // reads pass
    expect((await publicStatus('acme')).body.active).toBe(true);
    expect((await write()).status).toBe(503);
    // Another tenant and the installation's admin are not held.
    expect((await t.request('GET', '/api/webhooks/subscriptions', { token: tokens['globex-admin'] })).status).toBe(200);
    expect(
      (
        await t.request('POST', '/api/webhooks/subscriptions', {
          body: { url: 'https://hooks.example/y', eventTypes: ['RunFailed'], tenant: 'acme', reason: 'r' },
        })
      ).status,
    ).toBe(201);

    expect(await loop.sweep()).toEqual(['acme']);
    expect(await loop.sweep()).toEqual([]);
    clock.advance(60 * minute);
    const ok = await webhookWrite();
    expect(ok.status).toBe(201);
    expect((await publicStatus('acme')).body).toEqual(INACTIVE);
    expect((await t.request('GET', '/api/tenants/acme/maintenance', { token: tokens['acme-admin'] })).body).toMatchObject({
      status: 'none',
      last: { how: 'window_closed', startedAt: startsAt, endedAt: endsAt },
    });
    expect(await loop.sweep()).toEqual(['acme']);

    const { rows } = await t.db.pool.query(`SELECT type, data, metadata FROM events WHERE stream_id = 'maintenance-acme' ORDER BY position`);
    expect(rows.map((r) => [r.type, r.data.cause ?? null])).toEqual([
      ['MaintenanceScheduled', null],
      ['MaintenanceStarted', null],
      ['MaintenanceEnded', 'window_closed'],
    ]);
    expect(rows[1].data).toMatchObject({ startedAt: startsAt });
    expect(rows[2].data).toMatchObject({ startedAt: startsAt, endedAt: endsAt });
    expect(rows[1].metadata).toMatchObject({ actor: 'system', tenant: 'acme' });

    // The timeline reads below the oldest transaction still open in the app's database (no gaps in commit
    // order): while one of the app's own appends is in flight, the last event shows a moment later.
    const timeline = await waitFor('the timeline shows the MaintenanceEnded', async () => {
      const res = await t.request(
        'GET',
        `/api/timeline?from=${from}&to=${new Date(Date.now() + minute).toISOString()}&types=MaintenanceScheduled,MaintenanceStarted,MaintenanceEnded`,
        { token: tokens['acme-admin'] },
      );
      return res.status === 200 && res.body.items.length === 3 ? res : null;
    });
    expect(timeline.body.items.map((i: { type: string; summary: string; tenant: string }) => [i.type, i.tenant, i.summary])).toEqual([
      ['MaintenanceScheduled', 'acme', `maintenance of acme scheduled by acme-admin: read_only from ${startsAt} until ${endsAt} ("database upgrade")`],
      ['MaintenanceStarted', 'acme', `acme in maintenance (read_only) from ${startsAt} until ${endsAt}: "${banner}"`],
      ['MaintenanceEnded', 'acme', `maintenance of acme (read_only, since ${startsAt}) ended (its window closed) at ${endsAt}`],
    ]);
    // Another tenant's timeline does not show it.
    const other = await t.request('GET', `/api/timeline?from=${from}&to=${new Date(Date.now() + minute).toISOString()}&types=MaintenanceStarted`, {
      token: tokens['globex-admin'],
    });
    expect(other.body.items).toEqual([]);
  });

  it('offline: every request of the tenant answers 503 with an open-ended Retry-After, but its maintenance routes; its admin can end it', async () => {
    expect((await put('acme', { mode: 'offline' })).status).toBe(200);
    const whoami = await t.request('GET', '/api/auth/whoami', { token: tokens['acme-admin'] });
    expect(whoami.status).toBe(503);
    expect(whoami.headers.get('retry-after')).toBe('120');
    expect(whoami.body.maintenance).toEqual({ tenant: 'acme', mode: 'offline', banner, startsAt: expect.any(String), endsAt: null });
    expect((await t.request('GET', '/api/tenants/acme/maintenance', { token: tokens['acme-admin'] })).status).toBe(200);
    expect((await publicStatus('acme')).body.active).toBe(true);
    expect((await t.request('GET', '/api/auth/whoami')).status).toBe(200);
    expect((await end('acme', tokens['acme-admin'])).status).toBe(200);
    expect((await t.request('GET', '/api/auth/whoami', { token: tokens['acme-admin'] })).status).toBe(200);
  });

  it('ops health lists the tenants in maintenance (scoped: its own), live and as of a past instant', async () => {
    await put('acme', { mode: 'read_only', endsAt: at(30 * minute) });
    await put('globex', { mode: 'offline', startsAt: at(60 * minute) });
    const live = await t.request('GET', '/api/ops/health', { token: null });
    expect(live.body.maintenance).toEqual([{ tenant: 'acme', mode: 'read_only', banner, startsAt: expect.any(String), endsAt: expect.any(String) }]);
    expect(live.body.notices).toContainEqual(expect.stringMatching(/^Tenant acme in maintenance \(read_only\)/));
    expect((await t.request('GET', '/api/ops/health', { token: tokens['globex-admin'] })).body.maintenance).toBeNull();
    clock.advance(61 * minute);
    const later = await t.request('GET', '/api/ops/health', { token: null });
    expect(later.body.maintenance.map((m: { tenant: string }) => m.tenant)).toEqual(['globex']);
    const past = await t.request('GET', `/api/ops/health?at=${encodeURIComponent(new Date(clock.ms() - 60 * minute).toISOString())}`, { token: null });
    expect(past.status).toBe(200);
  });
});

describe('maintenance log families', () => {
  it('maintenance.refresh_failed (a process keeps its last known windows) and maintenance.record_failed (the window loop goes on)', async () => {
    const log = new MemoryLog();
    const t = await startTestApp({ LOG_LEVEL: 'info', MAINTENANCE_SWEEP_MS: '50', MAINTENANCE_REFRESH_MS: '3600000' }, undefined, { logDestination: log });
    try {
      expect((await t.request('PUT', '/api/tenants/acme/maintenance', { body: { mode: 'read_only', banner: 'b', reason: 'log families' } })).status).toBe(200);
      await t.db.pool.query('ALTER TABLE rm_maintenance RENAME TO rm_maintenance_away');
      await t.app.get(MaintenanceWindows).refresh();
      expect(await log.waitFor('maintenance.refresh_failed')).toMatchObject({ level: 40 });
      // The last known window still holds in this process.
      expect(t.app.get(MaintenanceWindows).activeFor('acme', new Date())).toMatchObject({ mode: 'read_only' });
      expect(await log.waitFor('maintenance.record_failed')).toMatchObject({ level: 50, err: expect.stringMatching(/rm_maintenance/) });
    } finally {
      await t.db.pool.query('ALTER TABLE IF EXISTS rm_maintenance_away RENAME TO rm_maintenance');
      await t.close();
    }
  });
});
