import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const OPS_TOKEN = 'ops-token-holds';
const echo = { kind: 'command', argv: [process.execPath, '-e', 'console.log("ran")'] };

function configFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-holds-'));
  const file = path.join(dir, 'jobs.json');
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        { name: 'report', schedule: 'on-demand', handler: echo },
        { name: 'ticking', schedule: '* * * * * *', catchUp: 'skip', handler: echo },
        { name: 'acme-sync', schedule: 'on-demand', tenant: 'acme', handler: echo },
        { name: 'globex-sync', schedule: 'on-demand', tenant: 'globex', handler: echo },
        { name: 'shared', schedule: 'on-demand', params: ['tenant'], handler: echo },
      ],
    }),
  );
  return file;
}

/**
 * Pauses of one job, one target, and a tenant's jobs or targets (issue 15, "Pause and resume"):
 * the real app on the embedded PostgreSQL, real HTTP, real cron ticks, real polls of a real server.
 */
describe('pausing jobs, targets and tenants (the hold check)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let operator: string;
  const count = async (sql: string, args: unknown[] = []) => Number((await t.db.pool.query(sql, args)).rows[0].n);
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;
  const polls = (key: string) =>
    count(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type IN ('PollSucceeded', 'PollFailed')`, [`target-${key}`]);
  const ops = async () => (await t.request('GET', '/api/ops/health', { token: null, headers: { 'x-ops-token': OPS_TOKEN } })).body;
  const inventory = async (name: string) => ((await t.request('GET', '/api/jobs')).body.jobs as any[]).find((j) => j.name === name);
  const future = (ms: number) => new Date(Date.now() + ms).toISOString();
  /** A target action, again while a poll outcome (every 0.2 s here) keeps winning the race for its stream (409 "changed concurrently", nothing changed). */
  const onTarget = (route: string, body: () => Record<string, unknown>) =>
    waitFor(`${route} answered`, async () => {
      const sent = body();
      const res = await t.request('POST', route, { body: sent });
      return res.status === 409 && /changed concurrently/.test(res.body.message) ? null : { ...res, sent };
    });

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({
      ...FAST_POLLING_ENV,
      OPS_TOKEN,
      OPSLEDGER_CONFIG: configFile(),
      WORKER_POLL_MS: '50',
      WORKER_HEARTBEAT_MS: '200',
      LOOP_PAUSE_REFRESH_MS: '100',
      PAUSE_EXPIRY_SWEEP_MS: '100',
      CRON_TICK_MS: '200',
    });
    operator = (await t.request('POST', '/api/auth/tokens', { body: { name: 'op', role: 'operator', reason: 'holds test' } })).body.token;
    for (const [tenant, name] of [
      ['acme', 'a1'],
      ['acme', 'a2'],
      ['globex', 'g1'],
    ])
      expect(
        (
          await t.request('POST', '/api/targets', {
            body: { type: 'feed', name, tenant, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 0.2, adaptive: false },
          })
        ).status,
      ).toBe(201);
    await waitFor('every target polled', async () => (await polls('feed::a1')) > 0 && (await polls('feed::a2')) > 0 && (await polls('feed::g1')) > 0);
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('bad input: 400 naming the field, nothing appended, nothing paused; 404 for an unknown job or target; 409 to resume what is not paused', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'pause-%' OR type IN ('OperatorActionRecorded', 'TargetPaused')`);
    const cases: [string, unknown, string][] = [
      ['/api/jobs/report/pause', {}, 'reason'],
      ['/api/jobs/report/pause', { reason: '' }, 'reason'],
      ['/api/jobs/report/pause', { reason: 'x', resumeAt: 'soon' }, 'resumeAt'],
      ['/api/jobs/report/pause', { reason: 'x', resumeAt: '2020-01-01T00:00:00Z' }, 'resumeAt'],
      ['/api/tenants/acme/jobs/pause', { reason: 'x', resumeAt: '2020-01-01T00:00:00Z' }, 'resumeAt'],
      ['/api/tenants/acme/targets/pause', { reason: 'x', until: '2030-01-01T00:00:00Z' }, 'until'],
      ['/api/targets/feed::a1/pause', { reason: 'x', resumeAt: '2020-01-01T00:00:00Z' }, 'resumeAt'],
      ['/api/targets/feed::a1/resume', {}, 'reason'],
    ];
    for (const [route, body, field] of cases) {
      const res = await t.request('POST', route, { body });
      expect({ route, body, status: res.status }).toEqual({ route, body, status: 400 });
      expect(res.body.fields.map((f: any) => f.field)).toContain(field);
      expect(res.body.message).toContain(`${field}:`);
    }
    expect((await t.request('POST', '/api/jobs/nope/pause', { body: { reason: 'x' } })).status).toBe(404);
    expect((await t.request('POST', '/api/targets/feed::nope/pause', { body: { reason: 'x' } })).status).toBe(404);
    const notPaused = await t.request('POST', '/api/jobs/report/resume', { body: { reason: 'x' } });
    expect(notPaused).toMatchObject({ status: 409, body: { message: 'job "report" is not paused' } });
    expect((await t.request('POST', '/api/tenants/acme/targets/resume', { body: { reason: 'x' } })).body.message).toBe(
      'the targets of tenant acme are not paused',
    );
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'pause-%' OR type IN ('OperatorActionRecorded', 'TargetPaused')`)).toBe(
      before,
    );
    expect(await count(`SELECT count(*)::int AS n FROM rm_pauses`)).toBe(0);
  });

  it('a job paused while a run of it is queued: the run stays queued, runs after the resume; a second pause is 409', async () => {
    // Hold the whole worker so the run is certainly queued when the job is paused.
    expect((await t.request('POST', '/api/jobs/worker/pause', { body: { reason: 'set up a queued run' } })).status).toBe(200);
    const run = await t.request('POST', '/api/jobs/report/run', { body: { reason: 'queued before the pause' } });
    expect(run.status).toBe(202);
    const p = await t.request('POST', '/api/jobs/report/pause', { body: { reason: 'upstream down' } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ scope: 'job', subject: 'report', paused: true, reason: 'upstream down', pausedBy: 'bootstrap-admin', resumeAt: null });
    expect((await t.request('POST', '/api/jobs/report/pause', { body: { reason: 'again' } })).body.message).toMatch(
      /^job "report" is paused already \(by bootstrap-admin since .*: "upstream down"\); resume it first$/,
    );
    expect((await t.request('POST', '/api/jobs/worker/resume', { body: { reason: 'worker back' } })).status).toBe(200);
    expect((await t.request('GET', '/api/pauses')).body.loops[0]).toMatchObject({
      loop: 'job-worker',
      paused: false,
      reason: 'set up a queued run',
      resumedBy: 'bootstrap-admin',
      resumeReason: 'worker back',
    });
    // Other jobs run meanwhile; this one waits.
    const other = await t.request('POST', '/api/jobs/globex-sync/run', { body: { reason: 'not held' } });
    await waitFor('the other job ran', async () => (await runState(other.body.runId)) === 'succeeded');
    expect(await runState(run.body.runId)).toBe('pending');
    expect((await inventory('report')).hold).toMatchObject({
      source: 'pause',
      scope: 'job',
      subject: 'report',
      by: 'bootstrap-admin',
      reason: 'upstream down',
      until: null,
    });

    expect((await t.request('POST', '/api/jobs/report/resume', { body: { reason: 'upstream back' } })).body).toMatchObject({
      paused: false,
      resumedBy: 'bootstrap-admin',
      resumeReason: 'upstream back',
    });
    await waitFor('the queued run ran after the resume', async () => (await runState(run.body.runId)) === 'succeeded');
    expect((await inventory('report')).hold).toBeNull();
  });

  it('manual runs of a paused job: 409 naming why for an operator (force or not); an admin forces one through, audited', async () => {
    expect((await t.request('POST', '/api/jobs/report/pause', { body: { reason: 'do not send today' } })).status).toBe(200);
    const refused = await t.request('POST', '/api/jobs/report/run', { token: operator, body: { reason: 'try' } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(
      /^job "report" is paused by bootstrap-admin since .*: "do not send today"; resume it first, or an admin may run it anyway with force: true$/,
    );
    const forcedByOperator = await t.request('POST', '/api/jobs/report/run', { token: operator, body: { reason: 'try harder', force: true } });
    expect(forcedByOperator.status).toBe(409);
    expect(forcedByOperator.body.message).toContain('(force needs the admin role)');
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'OperatorActionRecorded' AND data->>'reason' IN ('try', 'try harder')`)).toBe(0);

    const forced = await t.request('POST', '/api/jobs/report/run', { body: { reason: 'the CFO needs it now', force: true } });
    expect(forced.status).toBe(202);
    await waitFor('the forced run ran while the job is paused', async () => (await runState(forced.body.runId)) === 'succeeded');
    const entry = (await t.db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'reason' = 'the CFO needs it now'`)).rows[0]
      .data;
    expect(entry).toMatchObject({ action: 'job.run', details: { forced: true, hold: { scope: 'job', reason: 'do not send today' } } });
    expect((await t.request('POST', '/api/jobs/report/resume', { body: { reason: 'done' } })).status).toBe(200);
  });

  it('a job paused while cron is ticking: its ticks are recorded as skipped, none runs, none is counted as missed; it ticks again after the resume', async () => {
    await waitFor('cron runs the every-second job', async () => (await count(`SELECT count(*)::int AS n FROM rm_job_runs WHERE job = 'ticking'`)) >= 2);
    expect((await t.request('POST', '/api/jobs/ticking/pause', { body: { reason: 'its database is being restored' } })).status).toBe(200);
    const pausedAt = Date.now();
    const skipped = () => count(`SELECT count(*)::int AS n FROM events WHERE type = 'TickSkipped' AND data->>'job' = 'ticking'`);
    await waitFor('three ticks skipped', async () => (await skipped()) >= 3, 10_000);
    const enqueuedWhilePaused = await count(
      `SELECT count(*)::int AS n FROM events WHERE type = 'RunEnqueued' AND data->>'job' = 'ticking' AND (data->>'scheduledFor')::timestamptz > $1`,
      [new Date(pausedAt + 1000).toISOString()],
    );
    expect(enqueuedWhilePaused).toBe(0);
    const ev = (await t.db.pool.query(`SELECT data FROM events WHERE type = 'TickSkipped' ORDER BY position LIMIT 1`)).rows[0].data;
    expect(ev).toMatchObject({
      job: 'ticking',
      hold: { source: 'pause', scope: 'job', subject: 'ticking', reason: 'its database is being restored', by: 'bootstrap-admin', until: null },
    });
    const line = await inventory('ticking');
    expect(line).toMatchObject({ missedTicks: 0, hold: { scope: 'job', reason: 'its database is being restored' } });
    expect(line.skippedTicks).toBeGreaterThanOrEqual(3);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'TickMissed'`)).toBe(0);
    const timeline = JSON.stringify((await t.request('GET', '/api/timeline?limit=500')).body);
    expect(timeline).toMatch(/ticking tick \S+ skipped while paused by bootstrap-admin: \\"its database is being restored\\"/);
    expect(timeline).toContain('job \\"ticking\\" paused by bootstrap-admin: \\"its database is being restored\\"');

    expect((await t.request('POST', '/api/jobs/ticking/resume', { body: { reason: 'restored' } })).status).toBe(200);
    const resumedAt = Date.now();
    await waitFor('ticks run again', async () =>
      count(`SELECT count(*)::int AS n FROM rm_job_runs WHERE job = 'ticking' AND (doc->>'scheduledFor')::timestamptz > $1`, [
        new Date(resumedAt).toISOString(),
      ]).then((n) => n >= 1),
    );
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'TickMissed'`)).toBe(0);
  });

  it("a tenant's jobs paused: its jobs and its runs of shared jobs wait, another tenant's run; ops health lists it per tenant", async () => {
    const p = await t.request('POST', '/api/tenants/acme/jobs/pause', { body: { reason: 'acme billing migration' } });
    expect(p.body).toMatchObject({ scope: 'tenant-jobs', subject: 'acme', tenant: 'acme', paused: true });
    expect((await t.request('POST', '/api/jobs/acme-sync/run', { body: { reason: 'x' } })).status).toBe(409);
    const sharedForAcme = await t.request('POST', '/api/jobs/shared/run', { body: { reason: 'for acme, forced', params: { tenant: 'acme' }, force: true } });
    expect(sharedForAcme.status).toBe(202);
    expect((await t.request('POST', '/api/jobs/shared/run', { body: { reason: 'for acme', params: { tenant: 'acme' } } })).status).toBe(409);
    const globex = await t.request('POST', '/api/jobs/globex-sync/run', { body: { reason: 'not paused' } });
    await waitFor('globex ran', async () => (await runState(globex.body.runId)) === 'succeeded');
    await waitFor('the forced run ran', async () => (await runState(sharedForAcme.body.runId)) === 'succeeded');
    expect((await inventory('acme-sync')).hold).toMatchObject({ scope: 'tenant-jobs', subject: 'acme', reason: 'acme billing migration' });
    expect((await inventory('globex-sync')).hold).toBeNull();
    const h = await ops();
    expect(h.held).toEqual([
      {
        tenant: 'acme',
        scope: 'tenant-jobs',
        subject: 'acme',
        reason: 'acme billing migration',
        pausedBy: 'bootstrap-admin',
        pausedAt: expect.stringMatching(/Z$/),
        resumeAt: null,
      },
    ]);
    expect(h.notices).toContain('jobs of tenant acme paused by bootstrap-admin: acme billing migration');
    // GET /api/pauses (what a console session reads): the pause for the unscoped and for acme's tokens, not for globex's.
    const listed = (await t.request('GET', '/api/pauses')).body;
    expect(listed.pauses).toEqual([
      expect.objectContaining({ scope: 'tenant-jobs', subject: 'acme', tenant: 'acme', reason: 'acme billing migration', pausedBy: 'bootstrap-admin' }),
    ]);
    expect(listed.loops.map((l: { loop: string }) => l.loop)).toEqual(['job-worker', 'poll-scheduler']);
    const viewerOf = async (tenant: string) =>
      (await t.request('POST', '/api/auth/tokens', { body: { name: `${tenant}-viewer`, role: 'viewer', tenant, reason: 'holds test' } })).body.token;
    expect((await t.request('GET', '/api/pauses', { token: await viewerOf('acme') })).body.pauses).toEqual(listed.pauses);
    expect((await t.request('GET', '/api/pauses', { token: await viewerOf('globex') })).body.pauses).toEqual([]);
    expect((await t.request('POST', '/api/tenants/acme/jobs/resume', { body: { reason: 'migrated' } })).status).toBe(200);
    expect((await ops()).held).toBeNull();
    expect((await t.request('GET', '/api/pauses')).body.pauses).toEqual([]);
  });

  it("a tenant's targets paused: none of them is polled (no failure, no breaker effect), the other tenant's are; they resume after the resume", async () => {
    expect((await t.request('POST', '/api/tenants/acme/targets/pause', { body: { reason: 'acme moves its servers' } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // a poll already in flight lands
    const [a1, a2, g1] = [await polls('feed::a1'), await polls('feed::a2'), await polls('feed::g1')];
    await new Promise((r) => setTimeout(r, 1200)); // six intervals
    expect([await polls('feed::a1'), await polls('feed::a2')]).toEqual([a1, a2]);
    expect(await polls('feed::g1')).toBeGreaterThan(g1 + 2);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM events WHERE stream_id IN ('target-feed::a1', 'target-feed::a2') AND type IN ('PollSkipped', 'BreakerOpened')`,
      ),
    ).toBe(0);
    const target = (await t.request('GET', '/api/targets/feed::a1')).body;
    expect(target).toMatchObject({ paused: false, hold: { source: 'pause', scope: 'tenant-targets', subject: 'acme', reason: 'acme moves its servers' } });
    const h = await ops();
    expect(h.status).toBe('healthy'); // held targets are neither queued nor overdue
    expect(h.held).toEqual([expect.objectContaining({ tenant: 'acme', scope: 'tenant-targets' })]);
    expect((await t.request('POST', '/api/tenants/acme/targets/resume', { body: { reason: 'moved' } })).status).toBe(200);
    await waitFor('acme polled again', async () => (await polls('feed::a1')) > a1 + 1 && (await polls('feed::a2')) > a2 + 1);
  });

  it('automatic resume at resumeAt, without an operator: a queued run of the job starts then; a target is polled again; both recorded by the system', async () => {
    // A run queued before the pause (under a whole-worker pause, so it is certainly queued).
    expect((await t.request('POST', '/api/jobs/worker/pause', { body: { reason: 'set up a queued run' } })).status).toBe(200);
    const run = await t.request('POST', '/api/jobs/report/run', { body: { reason: 'queued before the pause' } });
    const resumeAt = future(6000);
    expect((await t.request('POST', '/api/jobs/report/pause', { body: { reason: 'short', resumeAt } })).status).toBe(200);
    expect((await t.request('POST', '/api/jobs/worker/resume', { body: { reason: 'worker back' } })).status).toBe(200);
    expect((await t.request('GET', '/api/pauses')).body.loops[0]).toMatchObject({
      loop: 'job-worker',
      paused: false,
      reason: 'set up a queued run',
      resumedBy: 'bootstrap-admin',
      resumeReason: 'worker back',
    });
    const targetPause = await onTarget('/api/targets/feed::g1/pause', () => ({ reason: 'short too', resumeAt: future(10_000) }));
    const targetResumeAt = String(targetPause.sent.resumeAt);
    const pauseAnswered = new Date().toISOString();
    expect(targetPause.body).toMatchObject({
      paused: true,
      hold: { scope: 'target', reason: 'short too', until: targetResumeAt.replace(/\.\d{3}Z$/, 'Z') },
    });
    await waitFor('the queued run ran after resumeAt', async () => (await runState(run.body.runId)) === 'succeeded', 30_000);
    const claimed = (
      await t.db.pool.query(`SELECT (data->>'claimedAt') AS at FROM events WHERE type = 'RunClaimed' AND stream_id = $1`, [`job-${run.body.runId}`])
    ).rows[0].at;
    expect(Date.parse(claimed)).toBeGreaterThanOrEqual(Date.parse(resumeAt));
    // Polls started after the pause was answered (one started before it committed may land after it).
    const firstPoll = await waitFor(
      'the target is polled again',
      async () =>
        (
          await t.db.pool.query(
            `SELECT min((data->>'at')::timestamptz) AS at FROM events WHERE stream_id = 'target-feed::g1' AND type = 'PollSucceeded'
                AND (data->>'at')::timestamptz > $1`,
            [pauseAnswered],
          )
        ).rows[0].at as Date | null,
      30_000,
    );
    expect(firstPoll.getTime()).toBeGreaterThanOrEqual(Date.parse(targetResumeAt));
    await waitFor(
      'both automatic resumes recorded',
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM events WHERE (type = 'JobResumed' AND (data->>'auto')::boolean) OR (type = 'TargetResumed' AND (data->>'auto')::boolean)`,
        )) === 2,
    );
    const entries = (await t.db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' LIKE '%.auto_resume'`)).rows.map(
      (r) => r.data,
    );
    expect(entries.map((e) => [e.action, e.actor]).sort()).toEqual([
      ['job.auto_resume', 'system'],
      ['target.auto_resume', 'system'],
    ]);
    // Only the resume events: the polls of a loaded run can push them past one page. The timeline reads below the
    // oldest transaction open in the app's database, so it may show them a moment after the query above.
    const summaries = await waitFor('the timeline shows both automatic resumes', async () => {
      const items = (await t.request('GET', '/api/timeline?types=JobResumed,TargetResumed&limit=500')).body.items as { summary: string }[];
      const auto = items.map((i) => i.summary).filter((m) => m.includes('resumed automatically'));
      return auto.length === 2 ? auto : null;
    });
    expect(summaries.sort()).toEqual([
      expect.stringMatching(/^feed::g1 resumed automatically \(resumeAt reached\); next poll \d\d:\d\d:\d\dZ$/),
      'job "report" resumed automatically (resumeAt reached)',
    ]);
  });

  it('a tenant-scoped operator pauses its own tenant only (404 for another tenant, as for a missing one)', async () => {
    const acmeOp = (await t.request('POST', '/api/auth/tokens', { body: { name: 'acme-op', role: 'operator', tenant: 'acme', reason: 'holds test' } })).body
      .token;
    expect((await t.request('POST', '/api/tenants/globex/jobs/pause', { token: acmeOp, body: { reason: 'x' } })).body).toMatchObject({
      statusCode: 404,
      message: 'no tenant globex',
    });
    expect((await t.request('POST', '/api/jobs/globex-sync/pause', { token: acmeOp, body: { reason: 'x' } })).status).toBe(404);
    expect((await t.request('POST', '/api/targets/feed::g1/pause', { token: acmeOp, body: { reason: 'x' } })).status).toBe(404);
    expect((await t.request('POST', '/api/jobs/acme-sync/pause', { token: acmeOp, body: { reason: 'mine' } })).status).toBe(200);
    expect((await t.request('POST', '/api/jobs/acme-sync/resume', { token: acmeOp, body: { reason: 'mine' } })).status).toBe(200);
  });
});
