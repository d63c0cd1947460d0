import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const OPS_TOKEN = 'ops-token-pause-tests';

function configFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-pause-'));
  const file = path.join(dir, 'jobs.json');
  const echo = { kind: 'command', argv: [process.execPath, '-e', 'console.log("ran")'] };
  // A job named like the route segment: POST /api/jobs/worker/run must still run it.
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        { name: 'echo', schedule: 'on-demand', handler: echo },
        { name: 'worker', schedule: 'on-demand', handler: echo },
      ],
    }),
  );
  return file;
}

/** "RUN_JOBS=false or jobs paused": the switch, the operators' pause of the whole job worker and poll scheduler, and ops health. */
describe('pausing the job worker and the poll scheduler; RUN_JOBS=false', () => {
  let t: TestApp;
  let s: FlakyServer;
  const ops = async () => (await t.request('GET', '/api/ops/plannings', { token: null, headers: { 'x-ops-token': OPS_TOKEN } })).body;
  const pauseRows = async () => (await t.db.pool.query(`SELECT doc FROM rm_loop_pauses ORDER BY key`)).rows.map((r) => r.doc);
  /** What an operator action appends: audit entries and pause events (the scheduler appends poll outcomes meanwhile). */
  const actionEvents = async () =>
    Number((await t.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'loop-pause-%' OR type = 'OperatorActionRecorded'`)).rows[0].n);
  const polls = async () => Number((await t.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE type IN ('PollSucceeded', 'PollFailed')`)).rows[0].n);
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({
      ...FAST_POLLING_ENV,
      OPS_TOKEN,
      OPSLEDGER_CONFIG: configFile(),
      WORKER_POLL_MS: '50',
      WORKER_HEARTBEAT_MS: '200',
      LOOP_PAUSE_REFRESH_MS: '100',
    });
    for (const name of ['a', 'b'])
      expect(
        (
          await t.request('POST', '/api/targets', {
            body: { type: 'feed', name, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 0.2, adaptive: false },
          })
        ).status,
      ).toBe(201);
    await waitFor('healthy', async () => (await ops()).status === 'healthy');
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('bad input: 400 naming the field, nothing appended, nothing paused; a viewer gets 403', async () => {
    const before = await actionEvents();
    const cases: [string, unknown, string][] = [
      ['/api/monitoring/scheduler/pause', {}, 'reason'],
      ['/api/monitoring/scheduler/pause', { reason: '' }, 'reason'],
      ['/api/monitoring/scheduler/pause', { reason: 'x', resumeAt: 'soon' }, 'resumeAt'],
      ['/api/monitoring/scheduler/pause', { reason: 'x', resumeAt: '2020-01-01T00:00:00Z' }, 'resumeAt'],
      ['/api/jobs/worker/pause', { reason: 'x', until: '2030-01-01T00:00:00Z' }, 'until'],
      ['/api/jobs/worker/resume', {}, 'reason'],
    ];
    for (const [route, body, field] of cases) {
      const res = await t.request('POST', route, { body });
      expect({ route, body, status: res.status }).toEqual({ route, body, status: 400 });
      expect(res.body.fields.map((f: any) => f.field)).toContain(field);
      expect(res.body.message).toContain(`${field}:`);
    }
    const viewer = (await t.request('POST', '/api/auth/tokens', { body: { name: 'dash', role: 'viewer', reason: 'dashboard' } })).body.token;
    expect((await t.request('POST', '/api/jobs/worker/pause', { token: viewer, body: { reason: 'x' } })).status).toBe(403);
    expect((await t.request('POST', '/api/monitoring/scheduler/resume', { body: { reason: 'x' } })).status).toBe(409); // not paused
    expect(await actionEvents()).toBe(before + 1); // the viewer token's issue only
    expect(await pauseRows()).toEqual([]);
  });

  it('pausing the poll scheduler stops polling; ops health shows paused (degraded) at once; resume polls again', async () => {
    const res = await t.request('POST', '/api/monitoring/scheduler/pause', { body: { reason: 'database failover' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ loop: 'poll-scheduler', paused: true, reason: 'database failover', pausedBy: 'bootstrap-admin', resumeAt: null });
    const h = await ops();
    expect(h.status).toBe('degraded');
    expect(h.issues).toEqual(['poll-scheduler paused by bootstrap-admin: database failover']);
    expect(h.workers).toMatchObject({ 'poll-scheduler': 'paused', backfill: 'paused', refreshWorker: 'paused' });
    expect(h.pauses).toEqual([
      { loop: 'poll-scheduler', reason: 'database failover', pausedBy: 'bootstrap-admin', pausedAt: expect.stringMatching(/Z$/), resumeAt: null },
    ]);
    // The loop itself reports `paused` on its next report.
    await waitFor('scheduler reports paused', async () =>
      (await t.db.pool.query(`SELECT state FROM loop_states WHERE loop = 'poll-scheduler'`)).rows.every((r) => r.state === 'paused'),
    );
    const n = await polls();
    await new Promise((r) => setTimeout(r, 1000)); // five intervals of both targets
    expect(await polls()).toBe(n);
    // Still paused after the targets went overdue: not "Queue stuck".
    expect((await ops()).status).toBe('degraded');
    expect((await t.request('POST', '/api/monitoring/scheduler/pause', { body: { reason: 'again' } })).status).toBe(409);

    expect((await t.request('POST', '/api/monitoring/scheduler/resume', { body: { reason: 'failover done' } })).body).toMatchObject({
      paused: false,
      resumedBy: 'bootstrap-admin',
      resumeReason: 'failover done',
    });
    await waitFor('polling again', async () => (await polls()) > n + 2);
    await waitFor('healthy again', async () => (await ops()).status === 'healthy');
  });

  it('each action is audited in one unit with its event, and shows in the timeline', async () => {
    const audit = (await t.request('GET', '/api/audit?limit=50')).body;
    const items = (audit.items ?? audit.entries ?? audit) as any[];
    const pause = items.find((e) => e.action === 'loop.pause' && e.target === 'poll-scheduler');
    expect(pause).toMatchObject({ reason: 'database failover', outcome: 'applied' });
    const { rows } = await t.db.pool.query(
      `SELECT e.type, e.metadata->>'causationId' AS cause, a.event_id::text AS audit_id FROM events e JOIN events a ON a.event_id::text = e.metadata->>'causationId' WHERE e.stream_id = 'loop-pause-poll-scheduler' ORDER BY e.revision`,
    );
    expect(rows.map((r) => r.type)).toEqual(['LoopPaused', 'LoopResumed']);
    const timeline = (await t.request('GET', '/api/timeline?limit=200')).body;
    const lines = JSON.stringify(timeline);
    expect(lines).toContain('poll-scheduler paused by bootstrap-admin: \\"database failover\\"');
    expect(lines).toContain('poll-scheduler resumed by bootstrap-admin: \\"failover done\\"');
  });

  it('pausing the job worker leaves runs pending until resumed; a run-now of a job named "worker" still routes to it', async () => {
    const p = await t.request('POST', '/api/jobs/worker/pause', { body: { reason: 'deploy', resumeAt: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ loop: 'job-worker', paused: true, resumeAt: expect.stringMatching(/Z$/) });
    const run = await t.request('POST', '/api/jobs/worker/run', { body: { reason: 'route check' } });
    expect(run.status).toBe(202);
    expect(run.body.job).toBe('worker');
    const h = await ops();
    expect(h.status).toBe('degraded');
    expect(h.issues).toEqual([`job-worker paused by bootstrap-admin until ${p.body.resumeAt}: deploy`]);
    expect(h.workers['job-worker']).toBe('paused');
    await new Promise((r) => setTimeout(r, 600)); // a dozen worker polls
    expect(await runState(run.body.runId)).toBe('pending');
    expect((await t.request('POST', '/api/jobs/worker/resume', { body: { reason: 'deployed' } })).status).toBe(200);
    await waitFor('run succeeded', async () => (await runState(run.body.runId)) === 'succeeded');
    await waitFor('healthy again', async () => (await ops()).status === 'healthy');
  });

  it('a pause with resumeAt ends by itself', async () => {
    const resumeAt = new Date(Date.now() + 4000).toISOString(); // room for the run-now below on a loaded machine
    expect((await t.request('POST', '/api/jobs/worker/pause', { body: { reason: 'short', resumeAt } })).status).toBe(200);
    const run = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'while paused' } });
    expect(await runState(run.body.runId)).toBe('pending');
    const done = await waitFor('run succeeded after resumeAt', async () => ((await runState(run.body.runId)) === 'succeeded' ? Date.now() : null));
    expect(done).toBeGreaterThanOrEqual(Date.parse(resumeAt));
    expect((await ops()).pauses).toBeNull();
  });
});

describe('RUN_JOBS=false', () => {
  it('runs no job worker, cron or janitor: runs stay pending, ops health is unhealthy with "Jobs not started (RUN_JOBS=false)"', async () => {
    const t = await startTestApp({ ...FAST_POLLING_ENV, RUN_JOBS: 'false', OPSLEDGER_CONFIG: configFile(), WORKER_POLL_MS: '50' });
    try {
      const h = await waitFor('scheduler up', async () =>
        ((b) => (b.workers['poll-scheduler'] ? b : null))((await t.request('GET', '/api/ops/plannings', { token: null })).body),
      );
      expect(h.status).toBe('unhealthy');
      expect(h.issues).toEqual(['Jobs not started (RUN_JOBS=false)']);
      expect(h.workers['job-worker']).toBe('stopped');
      expect(Object.keys(h.workers)).not.toEqual(expect.arrayContaining(['cron']));
      expect((await t.db.pool.query(`SELECT count(*)::int AS n FROM job_workers`)).rows[0].n).toBe(0);
      const run = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'nobody runs it' } });
      expect(run.status).toBe(202);
      await new Promise((r) => setTimeout(r, 500));
      expect((await t.request('GET', `/api/runs/${run.body.runId}`)).body.run.state).toBe('pending');
    } finally {
      await t.close();
    }
  });
});
