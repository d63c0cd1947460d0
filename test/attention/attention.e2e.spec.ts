import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { PG_POOL } from '../../src/database/database.module';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { PointInTime } from '../../src/point-in-time/point-in-time.service';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const AS_OF = 'x-opsledger-as-of';
const node = process.execPath;
/** Exits with the code its params name. */
const EXIT_WITH = `process.exit(Number(JSON.parse(process.env.OPSLEDGER_PARAMS).code ?? 0))`;

interface Moment {
  readonly label: string;
  /** Per caller (unscoped admin, acme viewer): the live answer and its instant. */
  readonly bodies: Record<'admin' | 'acme', { asOf: string; body: any }>;
}

describe('GET /api/attention (real app, real HTTP targets, real job processes)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let store: PostgresEventStore;
  const tokens = {} as Record<'viewer' | 'acme' | 'globex', string>;
  const moments: Moment[] = [];
  const count = async () => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
  /** Events a request could cause: everything but the background polls, job runs and worker heartbeats of this app. */
  const requestCaused = async () =>
    (
      await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE stream_id NOT LIKE 'target-%' AND stream_id NOT LIKE 'job-%' AND stream_id NOT LIKE 'worker-%'`,
      )
    ).rows[0].n;
  const caughtUp = async () => {
    const head = await store.head();
    const st = await t.request('GET', '/api/projections');
    return (st.body.projections as { checkpoint: string | null }[]).every((p) => p.checkpoint === head?.checkpoint);
  };
  const kinds = (body: any) => body.items.map((i: any) => `${i.kind} ${i.subject}`);
  const runJob = async (name: string, code: number) => {
    const res = await t.request('POST', `/api/jobs/${name}/run`, { body: { reason: 'attention script', params: { code } } });
    expect(res.status).toBe(202);
    const id = res.body.runId as string;
    await waitFor(`run ${id} finished`, async () => ['succeeded', 'failed'].includes((await t.request('GET', `/api/runs/${id}`)).body.run?.state));
    return id;
  };

  /**
   * Records the live answers at a moment when every read model holds every event recorded up to
   * then and nothing is appended during the requests (else it tries again), so "the list at T" is
   * well defined and ?at=T must reproduce it.
   */
  const record = async (label: string) => {
    const moment = await waitFor(
      `a quiet moment to record "${label}"`,
      async () => {
        const c0 = await count();
        if (!(await caughtUp()) || (await count()) !== c0) return null;
        const admin = await t.request('GET', '/api/attention');
        const acme = await t.request('GET', '/api/attention', { token: tokens.acme });
        // An append in flight during the requests could commit with an earlier time: wait for every transaction open now.
        const { rows } = await t.db.pool.query<{ snap: string }>('SELECT pg_current_snapshot()::text AS snap');
        await waitFor('the transactions open at the requests to end', async () => {
          const open = await t.db.pool.query(`SELECT 1 FROM pg_snapshot_xip($1::pg_snapshot) x WHERE pg_xact_status(x) = 'in progress'`, [rows[0].snap]);
          return open.rowCount === 0;
        });
        if ((await count()) !== c0) return null;
        expect([admin.status, acme.status]).toEqual([200, 200]);
        return {
          label,
          bodies: { admin: { asOf: admin.headers.get(AS_OF)!, body: admin.body }, acme: { asOf: acme.headers.get(AS_OF)!, body: acme.body } },
        };
      },
      20_000,
      10,
    );
    moments.push(moment);
  };

  beforeAll(async () => {
    s = await startFlakyServer();
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-attention-'));
    const config = path.join(dir, 'jobs.json');
    const job = (name: string, tenant: string) => ({
      name,
      schedule: 'on-demand',
      tenant,
      params: ['custom'],
      maxAttempts: 1,
      handler: { kind: 'command', argv: [node, '-e', EXIT_WITH] },
    });
    writeFileSync(config, JSON.stringify({ jobs: [job('acme-sync', 'acme'), job('globex-sync', 'globex')] }));
    t = await startTestApp({
      ...FAST_POLLING_ENV,
      OPSLEDGER_CONFIG: config,
      WORKER_POLL_MS: '50',
      SCHEDULER_REPORT_MS: '1000',
      BREAKER_FAILURE_THRESHOLD: '2',
      // Open for good during the test (no trial, no dead letter): closed by hand below.
      BREAKER_OPEN_BASE_MS: '600000',
      BREAKER_OPEN_MAX_MS: '600000',
      ALERT_EVAL_MS: '86400000',
      PIT_SNAPSHOT_INTERVAL_MS: '3600000', // taken by hand below
    });
    store = new PostgresEventStore(t.db.pool);
    for (const [name, role, tenant] of [
      ['viewer', 'viewer', undefined],
      ['acme', 'viewer', 'acme'],
      ['globex', 'viewer', 'globex'],
    ] as const) {
      const res = await t.request('POST', '/api/auth/tokens', { body: { name: `${name}-attention`, role, tenant, reason: 'attention test' } });
      expect(res.status).toBe(201);
      tokens[name] = res.body.token;
    }
    for (const tenant of ['acme', 'globex']) {
      s.modes.set(tenant, 'ok');
      const res = await t.request('POST', '/api/targets', {
        body: {
          type: 'svc',
          name: `${tenant}-web`,
          tenant,
          probe: { kind: 'http', url: `${s.base}/switch/${tenant}` },
          intervalSeconds: 1,
          adaptive: false,
          reason: 'attention test',
        },
      });
      expect(res.status).toBe(201);
    }
    await waitFor('both targets polled ok', async () => {
      const { rows } = await t.db.pool.query(`SELECT 1 FROM rm_targets WHERE doc->>'lastSuccess' IS NOT NULL`);
      return rows.length === 2;
    });

    // The scripted history, recorded moment by moment: the tests below replay and read it.
    await record('all well');

    s.modes.set('acme', '500');
    await waitFor('acme breaker open', async () => (await t.request('GET', '/api/targets/svc::acme-web')).body.breaker.state === 'open');
    await record('breaker open');

    await runJob('acme-sync', 1);
    await record('breaker open, run failed');

    // A snapshot mid-way: later answers start from it and fold only what followed.
    await waitFor('snapshot', async () => (await t.app.get(PointInTime).snapshotNow()).includes('targets'));

    s.modes.set('acme', 'ok');
    expect((await t.request('POST', '/api/targets/svc::acme-web/reset-breaker', { body: { reason: 'upstream fixed' } })).status).toBe(202);
    await waitFor('acme breaker closed and polled ok', async () => {
      const b = (await t.request('GET', '/api/targets/svc::acme-web')).body;
      return b.breaker.state === 'closed' && b.pollStatus.consecutiveFailures === 0;
    });
    await record('breaker closed, run still failed');

    await runJob('acme-sync', 0);
    await record('a later success resolved the failure');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('records the live list through breaker open → run failed → breaker closed → later success, and ?at= of each moment returns it', async () => {
    // The moments really differ, so the comparisons below can fail.
    expect(moments.map((m) => kinds(m.bodies.admin.body))).toEqual([
      [],
      ['breaker svc::acme-web'],
      ['breaker svc::acme-web', 'failed_run acme-sync'],
      ['failed_run acme-sync'],
      [],
    ]);
    const failed = moments[2].bodies.admin.body;
    expect(failed.counts).toMatchObject({ breaker: 1, failed_run: 1, dead_letter: 0, paused: 0 });
    expect(failed.total).toBe(2);
    expect(failed.items[0]).toMatchObject({
      kind: 'breaker',
      severity: 'warning',
      tenant: 'acme',
      href: '/api/targets/svc::acme-web',
      summary: expect.stringMatching(/^target svc::acme-web breaker open after 2 failures, trial at \S+Z; last: http_5xx 500$/),
    });
    expect(failed.items[1]).toMatchObject({
      kind: 'failed_run',
      severity: 'warning',
      tenant: 'acme',
      href: expect.stringMatching(/^\/api\/runs\/[0-9a-f-]{36}$/),
      summary: expect.stringMatching(/^job acme-sync \(tenant acme\): 1 failed run since its last success/),
    });
    // The drill-in answers.
    for (const i of failed.items) expect((await t.request('GET', i.href)).status).toBe(200);

    for (const m of moments)
      for (const who of ['admin', 'acme'] as const) {
        const { asOf, body } = m.bodies[who];
        const res = await t.request('GET', `/api/attention?at=${encodeURIComponent(asOf)}`, { token: who === 'admin' ? undefined : tokens.acme });
        expect({ moment: m.label, who, status: res.status, body: res.body }).toEqual({ moment: m.label, who, status: 200, body });
        expect(res.headers.get(AS_OF)).toBe(asOf);
      }

    // Live now: both resolved; the past still says what it said.
    const live = await t.request('GET', '/api/attention');
    expect(kinds(live.body)).toEqual([]);
    const past = await t.request('GET', `/api/attention?at=${encodeURIComponent(moments[2].bodies.admin.asOf)}`);
    expect(kinds(past.body)).toEqual(['breaker svc::acme-web', 'failed_run acme-sync']);
    expect(past.body).not.toEqual(live.body);
  });

  it("is tenant-scoped: acme's token saw acme's items, globex's sees none of them; `tenant` narrows an unscoped caller's list the same way", async () => {
    const at = encodeURIComponent(moments[2].bodies.admin.asOf);
    expect(moments[2].bodies.acme.body.items.map((i: any) => i.tenant)).toEqual(['acme', 'acme']);
    const globex = await t.request('GET', `/api/attention?at=${at}`, { token: tokens.globex });
    expect(globex.status).toBe(200);
    expect(globex.body.items).toEqual([]);
    expect(JSON.stringify(globex.body)).not.toContain('acme');
    // At the instant acme's own body was read (the admin's read was a moment apart: checkedAt may differ by a second).
    const asAcme = await t.request('GET', `/api/attention?at=${encodeURIComponent(moments[2].bodies.acme.asOf)}&tenant=acme`);
    expect(asAcme.body).toEqual(moments[2].bodies.acme.body);
    expect((await t.request('GET', `/api/attention?at=${at}&tenant=globex`)).body.items).toEqual([]);
    // A scoped token may name its own tenant, not another.
    expect((await t.request('GET', `/api/attention?at=${at}&tenant=acme`, { token: tokens.acme })).status).toBe(200);
  });

  it('filters by kind, severity and limit (counts keep every kind); a viewer may read it', async () => {
    const at = encodeURIComponent(moments[2].bodies.admin.asOf);
    const get = async (q: string) => {
      const res = await t.request('GET', `/api/attention?at=${at}&${q}`, { token: tokens.viewer });
      expect(res.status).toBe(200);
      return res.body;
    };
    const onlyRuns = await get('kind=failed_run');
    expect(kinds(onlyRuns)).toEqual(['failed_run acme-sync']);
    expect(onlyRuns.counts).toMatchObject({ breaker: 1, failed_run: 1 });
    expect(onlyRuns.total).toBe(1);
    expect(kinds(await get('severity=critical'))).toEqual([]);
    expect(kinds(await get('severity=warning'))).toHaveLength(2);
    const one = await get('limit=1');
    expect(kinds(one)).toEqual(['breaker svc::acme-web']);
    expect(one.total).toBe(2);
  });

  it('answers 400 naming the field for a bad `at`, an unknown kind or severity, a bad limit, another tenant from a scoped token; nothing appended', async () => {
    const before = await requestCaused();
    const cases: [string, string, string | undefined][] = [
      ['at=yesterday', 'at', undefined],
      ['at=2000-01-01T00:00:00Z', 'at', undefined],
      [`at=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, 'at', undefined],
      ['kind=meteor', 'kind', undefined],
      ['severity=urgent', 'severity', undefined],
      ['limit=0', 'limit', undefined],
      ['limit=lots', 'limit', undefined],
      ['tenant=a%20b', 'tenant', undefined],
      ['tenant=globex', 'tenant', tokens.acme],
      ['colour=red', 'colour', undefined],
    ];
    for (const [q, field, token] of cases) {
      const res = await t.request('GET', `/api/attention?${q}`, { token });
      expect({ q, status: res.status, field: res.body.fields?.[0]?.field }).toEqual({ q, status: 400, field });
    }
    const kind = await t.request('GET', '/api/attention?kind=meteor');
    expect(kind.body.message).toMatch(
      /^kind: must be one of: stale_loop, dead_letter, alert, breaker, job_running_long, job_piling_up, failed_run, webhook_failure, paused, maintenance$/,
    );
    expect((await t.request('GET', '/api/attention', { token: null })).status).toBe(401);
    expect(await requestCaused()).toBe(before);
  });

  it('reads the read models with a fixed number of queries, however many items (12 unscoped, 11 scoped)', async () => {
    const pool = t.app.get<Pool>(PG_POOL);
    const original = pool.query;
    const stacks: string[] = [];
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    pool.query = function (this: Pool, ...args: unknown[]) {
      stacks.push(new Error().stack ?? '');
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pool.query;
    /** The queries of one request made by the reader (the loops running beside it use the same pool). */
    const queriesOf = async (token?: string) => {
      stacks.length = 0;
      expect((await t.request('GET', '/api/attention', { token })).status).toBe(200);
      return stacks.filter((st) => st.includes('AttentionReader.facts')).length;
    };
    try {
      const few = await queriesOf();
      // Many more items: both targets failing (two breakers), both jobs failed.
      s.modes.set('acme', '500');
      s.modes.set('globex', '500');
      await runJob('acme-sync', 1);
      await runJob('globex-sync', 1);
      await waitFor('two breakers open', async () => (await t.request('GET', '/api/attention')).body.counts.breaker === 2);
      const live = (await t.request('GET', '/api/attention')).body;
      expect(live.total).toBe(4);
      expect(await queriesOf()).toBe(few);
      expect(few).toBe(12);
      expect(await queriesOf(tokens.acme)).toBe(11);
    } finally {
      pool.query = original;
      Error.stackTraceLimit = limit;
    }
  });
  it('lists operator pauses as info: a paused target instead of its open breaker (since = the pause), a paused loop for every tenant', async () => {
    const paused = await t.request('PATCH', '/api/targets/svc::globex-web', { body: { paused: true, reason: 'attention test' } });
    expect(paused.status).toBe(200);
    expect((await t.request('POST', '/api/monitoring/scheduler/pause', { body: { reason: 'provider maintenance' } })).status).toBe(200);
    const pausedAt = (
      await t.db.pool.query<{ at: string }>(`SELECT data->>'at' AS at FROM events WHERE stream_id = 'target-svc::globex-web' AND type = 'TargetPaused'`)
    ).rows[0].at;
    const globex = await waitFor('the pause on the list', async () => {
      const body = (await t.request('GET', '/api/attention?severity=info', { token: tokens.globex })).body;
      return body.items.length === 2 && body;
    });
    const bySubject = Object.fromEntries(globex.items.map((i: { subject: string }) => [i.subject, i]));
    expect(bySubject).toEqual({
      'poll-scheduler': expect.objectContaining({
        kind: 'paused',
        severity: 'info',
        tenant: null,
        summary: expect.stringMatching(/^poll-scheduler paused by \S+: provider maintenance$/),
      }),
      'svc::globex-web': expect.objectContaining({
        kind: 'paused',
        tenant: 'globex',
        since: pausedAt.replace(/\.\d{3}Z$/, 'Z'),
        href: '/api/targets/svc::globex-web',
      }),
    });
    // Longest first: the two pauses are a moment apart, in the same second or not.
    const since = globex.items.map((i: { since: string }) => i.since);
    expect(since).toEqual([...since].sort());
    // Its breaker is still open, but the pause is what an operator has to undo.
    expect((await t.request('GET', '/api/attention?kind=breaker', { token: tokens.globex })).body.items).toEqual([]);
    // The loop pause is shared: acme sees it too, not globex's target.
    expect(kinds((await t.request('GET', '/api/attention?severity=info', { token: tokens.acme })).body)).toEqual(['paused poll-scheduler']);
    expect((await t.request('POST', '/api/monitoring/scheduler/resume', { body: { reason: 'done' } })).status).toBe(200);
  });
});
