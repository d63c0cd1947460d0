import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { waitForProjections } from '../support/wait-for-projections';

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const TARGET = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } };
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

/**
 * What PostgreSQL cannot hold (NUL, lone surrogates, numbers past a column, instants past its
 * range) is a 400 naming the field before anything reaches it: nothing appended, no 500.
 */
describe('unsafe input', () => {
  let t: TestApp;
  const counts = async () =>
    (await t.db.pool.query<{ e: number; r: number }>('SELECT (SELECT count(*)::int FROM events) AS e, (SELECT count(*)::int FROM rm_targets) AS r')).rows[0];

  beforeAll(async () => (t = await startTestApp({ POLL_SCHEDULER_ENABLED: 'false' })));
  afterAll(async () => t.close());

  it.each([
    ['NUL in a nested body string', 'POST', '/api/targets', { ...TARGET, probe: { ...TARGET.probe, url: 'http://127.0.0.1:9/a\u0000b' } }, 'probe.url', /NUL/],
    ['NUL in a reason', 'POST', '/api/targets', { ...TARGET, reason: 'new\u0000instance' }, 'reason', /NUL/],
    [
      'a lone surrogate in a reason',
      'POST',
      '/api/rate-limits/overrides',
      { subject: { tenant: 'acme' }, limit: 10, expiresAt: inFuture(60_000), reason: 'backfill \ud800' },
      'reason',
      /lone UTF-16 surrogate/,
    ],
    ['a lone low surrogate in a name', 'POST', '/api/auth/tokens', { name: 'ci\udc00', role: 'viewer', reason: 'x' }, 'name', /lone UTF-16 surrogate/],
    [
      'NUL in a free JSON field name',
      'POST',
      '/api/targets',
      { ...TARGET, probe: { ...TARGET.probe, jsonCheck: { path: 'status', equals: { 'a\u0000': 1 } } } },
      'probe.jsonCheck.equals."a\\u0000"',
      /field name must not contain the NUL/,
    ],
    [
      'NUL deep in a free JSON value',
      'POST',
      '/api/targets',
      { ...TARGET, probe: { ...TARGET.probe, jsonCheck: { path: 'status', equals: ['ok', { v: 'x\u0000' }] } } },
      'probe.jsonCheck.equals.1.v',
      /NUL/,
    ],
    [
      'a number past what an integer field holds',
      'POST',
      '/api/ops/restore-drills',
      { owner: 'alice', result: 'passed', eventsRestored: 1e300 },
      'eventsRestored',
      /must not be greater than/,
    ],
    [
      'a duration past 2^31 - 1',
      'POST',
      '/api/ops/restore-drills',
      { owner: 'alice', result: 'passed', durationSeconds: 2 ** 31 },
      'durationSeconds',
      /must not be greater than/,
    ],
  ])('%s: 400 naming the field, nothing appended', async (_label, method, url, body, field, problem) => {
    const before = await counts();
    const res = await t.request(method, url, { body });
    expect(res.status).toBe(400);
    expect(res.body.fields[0].field).toBe(field);
    expect(res.body.fields[0].problem).toMatch(problem);
    expect(res.body.message).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('a non-finite number (JSON 1e999) and nesting 40 deep are 400s too', async () => {
    const before = await counts();
    const inf = await t.request('POST', '/api/ops/restore-drills', { body: '{"owner":"alice","result":"passed","durationSeconds":1e999}' });
    expect(inf.status).toBe(400);
    expect(inf.body.fields[0]).toEqual({ field: 'durationSeconds', problem: 'must be a finite number' });
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const nested = await t.request('POST', '/api/targets', { body: { ...TARGET, probe: { ...TARGET.probe, jsonCheck: { path: 'a', equals: deep } } } });
    expect(nested.status).toBe(400);
    expect(nested.body.fields[0].problem).toMatch(/nested too deeply/);
    expect(await counts()).toEqual(before);
  });

  it('NUL and lone surrogates in the query string and in path parameters: 400 naming the parameter', async () => {
    const query = await t.request('GET', '/api/audit?actor=al%00ice');
    expect(query.status).toBe(400);
    expect(query.body.fields).toEqual([{ field: 'actor', problem: 'must not contain the NUL character (\\u0000)' }]);
    const timeline = await t.request('GET', '/api/timeline?job=%ED%A0%80x&target=a%00');
    expect(timeline.status).toBe(400);
    expect(['job', 'target']).toContain(timeline.body.fields[0].field);
    const param = await t.request('POST', '/api/jobs/nightly%00/run', { body: { reason: 'x' } });
    expect(param.status).toBe(400);
    expect(param.body.fields[0].field).toBe('name');
  });

  it('a DELETE body is validated like any other (found by the fuzzer: {"reason": 1} was a 500)', async () => {
    const issued = await t.request('POST', '/api/auth/tokens', { body: { name: 'to-revoke', role: 'viewer', reason: 'x' } });
    const before = await counts();
    const res = await t.request('DELETE', `/api/auth/tokens/${issued.body.tokenId}?reason=rotated`, { body: { reason: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.fields[0].field).toBe('reason');
    expect(await counts()).toEqual(before);
  });

  it('a request id that is not plain visible ASCII is replaced, never stored', async () => {
    const res = await t.request('GET', '/api/auth/whoami', { headers: { 'x-request-id': 'caf\u00e9 au lait' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('cursors', () => {
    it('timeline: a cursor decoding to numbers PostgreSQL cannot hold, and garbage, are 400 naming cursor', async () => {
      for (const cursor of [b64('99999999999999999999999:1'), b64('1:99999999999999999999'), '!!!', 'garbage', b64(''), b64('1:2:3'), `${b64('1:2')}=`]) {
        const res = await t.request('GET', `/api/timeline?cursor=${encodeURIComponent(cursor)}`);
        expect({ cursor, status: res.status, field: res.body.fields?.[0]?.field }).toEqual({ cursor, status: 400, field: 'cursor' });
      }
    });

    it('timeline: a cursor it handed out still pages', async () => {
      for (let i = 0; i < 3; i++) expect((await t.request('POST', '/api/targets', { body: { ...TARGET, name: `pager-${i}` } })).status).toBe(201);
      await waitForProjections(t);
      const first = await t.request('GET', '/api/timeline?types=TargetRegistered&limit=1');
      expect(first.status).toBe(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.request('GET', `/api/timeline?types=TargetRegistered&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.status).toBe(200);
      expect(second.body.items[0].eventId).not.toBe(first.body.items[0].eventId);
    });

    it('audit: a cursor with an instant past any date, or garbage, is 400 naming cursor', async () => {
      for (const cursor of [
        b64('99999999999999999|6f1c0000-0000-4000-8000-000000000000'),
        b64('9999999999999999|6f1c0000-0000-4000-8000-000000000000'),
        'garbage',
      ]) {
        const res = await t.request('GET', `/api/audit?cursor=${encodeURIComponent(cursor)}`);
        expect({ cursor, status: res.status, field: res.body.fields?.[0]?.field }).toEqual({ cursor, status: 400, field: 'cursor' });
      }
    });
  });

  describe('GET /api/timeline window', () => {
    it('defaults a missing to to now and a missing from to one hour before to', async () => {
      const made = await t.request('POST', '/api/targets', { body: { ...TARGET, name: 'window-probe' } });
      expect(made.status).toBe(201);
      await waitForProjections(t);
      const probe = (i: { streamId: string }) => i.streamId === 'target-instance::window-probe';
      const both = await t.request('GET', '/api/timeline?types=TargetRegistered');
      expect(both.status).toBe(200);
      expect(both.body.items.some(probe)).toBe(true);
      const onlyFrom = await t.request('GET', `/api/timeline?types=TargetRegistered&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`);
      expect(onlyFrom.body.items.some(probe)).toBe(true);
      // to given, from missing: the hour before it (nothing from now is in the hour before two hours ago).
      const old = await t.request('GET', `/api/timeline?types=TargetRegistered&to=${encodeURIComponent(new Date(Date.now() - 7_200_000).toISOString())}`);
      expect(old.status).toBe(200);
      expect(old.body.items).toEqual([]);
    });

    it('says which bound is malformed', async () => {
      const to = await t.request('GET', '/api/timeline?to=tomorrow');
      expect(to.status).toBe(400);
      expect(to.body.fields).toEqual([{ field: 'to', problem: expect.stringMatching(/must be an RFC 3339 timestamp/) }]);
      expect(to.body.message).toMatch(/^to: /);
      const from = await t.request('GET', '/api/timeline?from=yesterday');
      expect(from.body.fields).toEqual([{ field: 'from', problem: expect.stringMatching(/must be an RFC 3339 timestamp/) }]);
    });
  });
});

/** A fixed interval below POLL_MIN_INTERVAL_SECONDS would poll one target tens of times a second, forever. */
describe('fixed poll intervals', () => {
  let t: TestApp;
  afterEach(async () => t.close());
  const counts = async () => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;

  it('refuses a fixed interval below POLL_MIN_INTERVAL_SECONDS (400 naming intervalSeconds, nothing appended); an adaptive one is clamped, not refused', async () => {
    t = await startTestApp({ POLL_SCHEDULER_ENABLED: 'false', POLL_MIN_INTERVAL_SECONDS: '5' });
    const before = await counts();
    const fast = await t.request('POST', '/api/targets', { body: { ...TARGET, intervalSeconds: 0.01, adaptive: false } });
    expect(fast.status).toBe(400);
    expect(fast.body.fields).toEqual([{ field: 'intervalSeconds', problem: expect.stringMatching(/at least POLL_MIN_INTERVAL_SECONDS \(5 s\)/) }]);
    expect(await counts()).toBe(before);

    expect((await t.request('POST', '/api/targets', { body: { ...TARGET, intervalSeconds: 1 } })).status).toBe(201);
    const afterCreate = await counts();
    const toFixed = await t.request('PATCH', '/api/targets/instance::eu-1', { body: { adaptive: false } });
    expect(toFixed.status).toBe(400);
    expect(toFixed.body.fields[0].field).toBe('intervalSeconds');
    expect(await counts()).toBe(afterCreate);
    expect((await t.request('PATCH', '/api/targets/instance::eu-1', { body: { adaptive: false, intervalSeconds: 5 } })).status).toBe(200);
  });

  it('with ADAPTIVE_POLLING_ENABLED=false every interval is fixed, so the minimum applies to all', async () => {
    t = await startTestApp({ POLL_SCHEDULER_ENABLED: 'false', POLL_MIN_INTERVAL_SECONDS: '5', ADAPTIVE_POLLING_ENABLED: 'false' });
    const res = await t.request('POST', '/api/targets', { body: { ...TARGET, intervalSeconds: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.fields[0].field).toBe('intervalSeconds');
  });

  it('refuses such a target in OPSLEDGER_CONFIG at start, naming the entry and field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-cfg-'));
    const file = path.join(dir, 'targets.yaml');
    writeFileSync(
      file,
      'targets:\n  - { type: instance, name: hot, probe: { kind: http, url: "http://127.0.0.1:9/x" }, intervalSeconds: 0.01, adaptive: false }\n',
    );
    const db = await createTestDatabase();
    try {
      await expect(startTestApp({ POLL_SCHEDULER_ENABLED: 'false', POLL_MIN_INTERVAL_SECONDS: '5', OPSLEDGER_CONFIG: file }, db)).rejects.toThrow(
        /OPSLEDGER_CONFIG: targets\[0\] \(instance::hot\): intervalSeconds: a fixed interval must be at least POLL_MIN_INTERVAL_SECONDS/,
      );
      expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
    t = await startTestApp(); // for afterEach
  });
});
