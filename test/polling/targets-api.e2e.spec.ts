import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV } from './support';
import { waitFor } from '../support/wait-for';

describe('/api/targets', () => {
  let t: TestApp;
  const counts = async () => {
    const { rows } = await t.db.pool.query<{ e: number; r: number }>(
      'SELECT (SELECT count(*)::int FROM events) AS e, (SELECT count(*)::int FROM rm_targets) AS r',
    );
    return rows[0];
  };
  const valid = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } };

  // The scheduler is off: these tests are about the API and the read model.
  beforeAll(async () => (t = await startTestApp({ ...FAST_POLLING_ENV, POLL_SCHEDULER_ENABLED: 'false' })));
  afterAll(() => t.close());

  it.each([
    ['a non-http(s) URL', { ...valid, probe: { kind: 'http', url: 'ftp://127.0.0.1/x' } }, 'probe.url'],
    ['a missing probe.url', { ...valid, probe: { kind: 'http' } }, 'probe.url'],
    ['a missing name', { type: 'instance', probe: valid.probe }, 'name'],
    ['a missing probe', { type: 'instance', name: 'x' }, 'probe'],
    ['an unknown property', { ...valid, colour: 'red' }, 'colour'],
    ['an unknown nested property', { ...valid, probe: { ...valid.probe, retries: 3 } }, 'probe.retries'],
    ['an unknown probe kind', { ...valid, probe: { kind: 'smtp', url: 'http://127.0.0.1:9/' } }, 'probe.kind'],
    ['a name with "::"', { ...valid, name: 'a::b' }, 'name'],
    ['a string interval', { ...valid, intervalSeconds: '10' }, 'intervalSeconds'],
  ])('rejects %s with 400 naming the field, and appends nothing', async (_label, body, field) => {
    const before = await counts();
    const res = await t.request('POST', '/api/targets', { body });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: any) => f.field)).toContain(field);
    expect(res.body.message).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('creates (201), lists, reads, rejects a duplicate (409, nothing appended), changes, pauses and removes', async () => {
    const created = await t.request('POST', '/api/targets', {
      body: { ...valid, probe: { ...valid.probe, expectStatus: 200, timeoutMs: 1000 }, reason: 'new EU instance' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      key: 'instance::eu-1',
      type: 'instance',
      name: 'eu-1',
      displayName: 'eu-1',
      source: 'api',
      paused: false,
      breaker: { state: 'closed' },
      deadLetter: { present: false },
    });
    const reg = (await t.db.pool.query(`SELECT metadata FROM events WHERE stream_id = 'target-instance::eu-1'`)).rows[0];
    const audit = (await t.db.pool.query('SELECT data FROM events WHERE event_id = $1', [reg.metadata.causationId])).rows[0];
    expect(audit.data).toMatchObject({ action: 'target.register', reason: 'new EU instance' });

    const before = await counts();
    expect((await t.request('POST', '/api/targets', { body: valid })).status).toBe(409);
    expect((await counts()).e).toBe(before.e);

    const listed = await waitFor('read model row', async () => {
      const r = await t.request('GET', '/api/targets');
      return r.body.targets?.length === 1 ? r.body.targets : null;
    });
    expect(listed[0]).toMatchObject({ key: 'instance::eu-1', probe: { kind: 'http', url: valid.probe.url, expectStatus: 200, timeoutMs: 1000 } });
    expect((await t.request('GET', '/api/targets/instance::eu-1')).status).toBe(200);
    expect((await t.request('GET', '/api/targets/instance::nope')).status).toBe(404);
    expect((await t.request('GET', '/api/targets/not-a-key')).status).toBe(404);

    const badPatch = await t.request('PATCH', '/api/targets/instance::eu-1', { body: { intervalSeconds: -1 } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.fields[0].field).toBe('intervalSeconds');
    const patched = await t.request('PATCH', '/api/targets/instance::eu-1', { body: { displayName: 'EU primary', paused: true } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: 'EU primary', paused: true, probe: { url: valid.probe.url, expectStatus: 200 } });
    expect((await t.request('PATCH', '/api/targets/instance::nope', { body: { paused: true } })).status).toBe(404);

    const removed = await t.request('DELETE', '/api/targets/instance::eu-1');
    expect(removed.status).toBe(202);
    expect(removed.body.events).toEqual(['TargetRemoved']);
    await waitFor('row deleted', async () => (await t.request('GET', '/api/targets/instance::eu-1')).status === 404);
    // Registering again after removal starts a fresh life on the same stream.
    expect((await t.request('POST', '/api/targets', { body: valid })).status).toBe(201);
    // Done once the read model shows it, so no later test sees the row arrive under it.
    await waitFor('the row back', async () => (await t.request('GET', '/api/targets/instance::eu-1')).status === 200);
  });

  it('reads need viewer, changes need operator', async () => {
    const issue = await t.request('POST', '/api/auth/tokens', { body: { name: 'watcher', role: 'viewer', reason: 'test' } });
    expect(issue.status).toBe(201);
    const viewer = issue.body.token;
    expect((await t.request('GET', '/api/targets', { token: viewer })).status).toBe(200);
    expect((await t.request('GET', '/api/monitoring/scheduler/health', { token: viewer })).status).toBe(200);
    expect((await t.request('POST', '/api/targets', { token: viewer, body: { ...valid, name: 'eu-2' } })).status).toBe(403);
    expect((await t.request('POST', '/api/targets/instance::eu-1/poll-now', { token: viewer, body: { reason: 'x' } })).status).toBe(403);
    expect((await t.request('GET', '/api/targets', { token: null })).status).toBe(401);
  });

  it('documents every endpoint in OpenAPI', async () => {
    const doc = (await t.request('GET', '/api/docs/json', { token: null })).body;
    for (const p of [
      '/api/targets',
      '/api/targets/{key}',
      '/api/targets/{key}/redrive',
      '/api/targets/{key}/reset-breaker',
      '/api/targets/{key}/poll-now',
      '/api/monitoring/scheduler/health',
      '/api/ops/health',
    ]) {
      expect(doc.paths[p]).toBeDefined();
      for (const op of Object.values(doc.paths[p]) as any[]) {
        expect(op.summary).toBeTruthy();
        expect(Object.values(op.responses).some((r: any) => r.content?.['application/json']?.schema?.example)).toBe(true);
      }
    }
  });
});
