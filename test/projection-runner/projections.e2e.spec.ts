import { ProjectionRegistry } from '../../src/projection-runner/projection-registry';
import { ProjectionRunnerService } from '../../src/projection-runner/projection-runner.service';
import { startTestApp, TestApp } from '../support/test-app';
import { appendCounted, counter, createRmTable, docs, expectedRows, pastEveryEvent } from './support';
import { waitFor } from '../support/wait-for';
import { EVENT_STORE } from '../../src/event-store/event-store.port';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';

describe('/api/projections', () => {
  let t: TestApp;
  let store: PostgresEventStore;
  const p = counter('e2e_counts');

  beforeAll(async () => {
    t = await startTestApp({ PROJECTION_RETRY_MS: '200' });
    await createRmTable(t.db.pool, 'e2e_counts');
    t.app.get(ProjectionRegistry).register(p);
    t.app.get(ProjectionRunnerService).start();
    store = t.app.get<PostgresEventStore>(EVENT_STORE);
    await appendCounted(store, 'e2e', 4, 200, 5);
  });
  afterAll(async () => t.close());

  const mine = async () => {
    const res = await t.request('GET', '/api/projections');
    return res.body.projections.find((s: any) => s.name === 'e2e_counts');
  };

  it('lists every registered projection with version, checkpoint, lag and state (admin)', async () => {
    const s = await waitFor('live', async () => {
      const m = await mine();
      return m?.state === 'live' && m.lag.events === 0 && (await pastEveryEvent(t.db.pool, 'e2e_counts')) ? m : null;
    });
    expect(s).toMatchObject({ name: 'e2e_counts', version: 1, storedVersion: 1, state: 'live', error: null, running: true, lag: { events: 0, seconds: 0 } });
    expect(s.checkpoint).toMatch(/^\d+:\d+$/);
    expect(s.position).toBeGreaterThan(0);
    const res = await t.request('GET', '/api/projections');
    expect(res.status).toBe(200);
    const names = res.body.projections.map((x: any) => x.name);
    expect(names).toEqual([...names].sort());
    for (const x of res.body.projections)
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['name', 'version', 'checkpoint', 'position', 'lag', 'state', 'error']));
  });

  it('starts a rebuild with 202, records the operator action, and swaps the rebuilt table in', async () => {
    await waitFor('live', async () => (await mine())?.state === 'live' && (await pastEveryEvent(t.db.pool, 'e2e_counts')));
    const before = await docs(t.db.pool, 'rm_e2e_counts');
    const res = await t.request('POST', '/api/projections/e2e_counts/rebuild', { body: { reason: 'e2e check' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ name: 'e2e_counts', version: 1, reason: 'e2e check', runnerActive: true });
    expect(res.body.requestedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const rebuilt = await waitFor('rebuilt', async () => {
      const m = await mine();
      return m.rebuiltAt && m.state === 'live' ? m : null;
    });
    expect(Date.parse(rebuilt.rebuiltAt)).toBeGreaterThanOrEqual(Date.parse(res.body.requestedAt));
    expect(await docs(t.db.pool, 'rm_e2e_counts')).toEqual(before);
    expect(await docs(t.db.pool, 'rm_e2e_counts')).toEqual(await expectedRows(store, p));

    const { rows } = await t.db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'projection.rebuild'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({ action: 'projection.rebuild', target: 'projection:e2e_counts', reason: 'e2e check', role: 'admin' });
  });

  it('answers 404 for an unknown projection and 400 without a reason, appending nothing', async () => {
    const count = async () => Number((await t.db.pool.query(`SELECT count(*) FROM events WHERE type = 'OperatorActionRecorded'`)).rows[0].count);
    const before = await count();
    const unknown = await t.request('POST', '/api/projections/nope/rebuild', { body: { reason: 'x' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/no projection named "nope"/);
    const noReason = await t.request('POST', '/api/projections/e2e_counts/rebuild', { body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields.map((f: any) => f.field)).toContain('reason');
    const blank = await t.request('POST', '/api/projections/e2e_counts/rebuild', { body: { reason: '   ' } });
    expect(blank.status).toBe(400);
    const extra = await t.request('POST', '/api/projections/e2e_counts/rebuild', { body: { reason: 'x', force: true } });
    expect(extra.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('needs a token (401) with the admin role (403)', async () => {
    expect((await t.request('GET', '/api/projections', { token: null })).status).toBe(401);
    expect((await t.request('POST', '/api/projections/e2e_counts/rebuild', { token: null, body: { reason: 'x' } })).status).toBe(401);
    const issued = await t.request('POST', '/api/auth/tokens', { body: { name: 'ops', role: 'operator', reason: 'test' } });
    expect(issued.status).toBe(201);
    expect((await t.request('GET', '/api/projections', { token: issued.body.token })).status).toBe(403);
    expect((await t.request('POST', '/api/projections/e2e_counts/rebuild', { token: issued.body.token, body: { reason: 'x' } })).status).toBe(403);
  });

  it('shows a failing projection as failed with its error, and it recovers after PROJECTION_RETRY_MS', async () => {
    let broken = true;
    const flaky = counter('e2e_flaky', { failWhen: () => broken });
    await createRmTable(t.db.pool, 'e2e_flaky');
    t.app.get(ProjectionRegistry).register(flaky);
    t.app.get(ProjectionRunnerService).start();
    const failed = await waitFor('failed', async () => {
      const res = await t.request('GET', '/api/projections');
      const s = res.body.projections.find((x: any) => x.name === 'e2e_flaky');
      return s?.state === 'failed' ? s : null;
    });
    expect(failed.error).toMatch(/cannot fold event/);
    expect(failed.errorAt).toMatch(/Z$/);
    broken = false;
    await waitFor('recovered', async () => {
      const res = await t.request('GET', '/api/projections');
      const s = res.body.projections.find((x: any) => x.name === 'e2e_flaky');
      return s?.state === 'live' && s.error === null;
    });
  });
});
