import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startTestApp, TestApp } from '../support/test-app';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { createTestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const SECRET = 'cron-secret-for-tests';
const node = process.execPath;

function configFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-jobs-'));
  const file = path.join(dir, 'jobs.json');
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        {
          name: 'daily-mrr-rollup',
          description: 'MRR rollup',
          owner: 'finance',
          schedule: '0 6 * * *',
          manualRun: false,
          priority: 'high',
          handler: { kind: 'command', argv: [node, '-e', ''] },
        },
        {
          name: 'echo',
          description: 'prints its params',
          schedule: 'on-demand',
          targetDuration: '10s',
          params: ['tenant', 'dryRun'],
          handler: { kind: 'command', argv: [node, '-e', 'console.log("params " + process.env.OPSLEDGER_PARAMS)'] },
        },
        {
          name: 'hang',
          schedule: 'on-demand',
          timeout: '600ms',
          maxAttempts: 1,
          cancellable: true,
          handler: { kind: 'command', argv: [node, '-e', 'console.log("pid " + process.pid); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'] },
        },
        {
          name: 'slow',
          schedule: 'on-demand',
          timeout: '30s',
          cancellable: true,
          params: ['dryRun'],
          handler: { kind: 'command', argv: [node, '-e', 'setInterval(() => {}, 1000)'] },
        },
      ],
    }),
  );
  return file;
}

describe('jobs API (e2e)', () => {
  let t: TestApp;
  const count = async () => Number((await t.db.pool.query(`SELECT count(*) AS n FROM events`)).rows[0].n);
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;

  beforeAll(async () => {
    t = await startTestApp({
      OPSLEDGER_CONFIG: configFile(),
      CRON_SECRET: SECRET,
      WORKER_POLL_MS: '50',
      WORKER_HEARTBEAT_MS: '200',
      JOB_KILL_GRACE_MS: '300',
      WORKER_CONCURRENCY: '4',
    });
  });
  afterAll(async () => t?.close());

  it('lists the inventory with the schedule in words and raw, next run and manualRun', async () => {
    const res = await t.request('GET', '/api/jobs');
    expect(res.status).toBe(200);
    const mrr = res.body.jobs.find((j: any) => j.name === 'daily-mrr-rollup');
    expect(mrr).toMatchObject({
      owner: 'finance',
      priority: 'high',
      manualRun: false,
      schedule: { kind: 'cron', text: 'At 06:00 AM', cron: '0 6 * * *', timezone: 'UTC' },
      handler: 'command',
    });
    expect(Date.parse(mrr.nextRunAt)).toBeGreaterThan(Date.now());
    expect(res.body.jobs.map((j: any) => j.name).sort()).toEqual(['daily-mrr-rollup', 'echo', 'hang', 'slow']);
  });

  it('manualRun=false: run-now is 409 with the reason, and nothing is appended (not even audit)', async () => {
    const before = await count();
    const res = await t.request('POST', '/api/jobs/daily-mrr-rollup/run', { body: { reason: 'try it' } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/manualRun=false/);
    expect(await count()).toBe(before);
    const rm = await t.db.pool.query(`SELECT count(*)::int AS n FROM rm_job_queue WHERE job = 'daily-mrr-rollup'`);
    expect(rm.rows[0].n).toBe(0);
  });

  it('bad input is a 400 naming the field, and appends nothing', async () => {
    const before = await count();
    const noReason = await t.request('POST', '/api/jobs/echo/run', { body: { params: {} } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields.map((f: any) => f.field)).toContain('reason');
    const badParam = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'x', params: { dryRun: 'yes' } } });
    expect(badParam.status).toBe(400);
    expect(badParam.body.fields).toEqual([{ field: 'params.dryRun', problem: 'must be true or false' }]);
    const unknown = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'x', extra: 1 } });
    expect(unknown.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('run-now: 202 with the run id; the run succeeds and its history tells who, why and what it printed', async () => {
    const res = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'validate after config change', params: { tenant: 'acme', dryRun: true } } });
    expect(res.status).toBe(202);
    const id = res.body.runId;
    await waitFor('the run succeeded', async () => (await runState(id)) === 'succeeded');
    const run = (await t.request('GET', `/api/runs/${id}`)).body;
    expect(run.run).toMatchObject({
      job: 'echo',
      trigger: 'manual',
      actor: 'bootstrap-admin',
      reason: 'validate after config change',
      tenant: 'acme',
      exitCode: 0,
    });
    expect(run.run.logTail).toContain('"dryRun":true');
    expect(run.events.map((e: any) => e.type)).toEqual(['RunEnqueued', 'RunClaimed', 'RunSucceeded']);
    // The enqueue is caused by the audit event of the operator action.
    const audit = await t.db.pool.query(
      `SELECT event_id FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'job.run' ORDER BY position DESC LIMIT 1`,
    );
    expect(run.events[0].causationId).toBe(audit.rows[0].event_id);
    // Drill-in (history projection is async): the run with duration, exit code, log tail, actor; trend has today.
    const detail = await waitFor('GET /api/jobs/echo shows the run with its log and in the trend', async () => {
      const d = (await t.request('GET', '/api/jobs/echo')).body;
      return d.runs?.[0]?.logTail && d.trend[29].runs >= 1 ? d : null;
    });
    expect(detail.runs[0]).toMatchObject({ runId: id, state: 'succeeded', actor: 'bootstrap-admin', exitCode: 0, tenant: 'acme' });
    expect(detail.trend).toHaveLength(30);
  });

  it('an Idempotency-Key repeat returns the first run', async () => {
    const a = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'once' }, headers: { 'idempotency-key': 'k-1' } });
    const b = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'once' }, headers: { 'idempotency-key': 'k-1' } });
    expect(b.status).toBe(202);
    expect(b.body.runId).toBe(a.body.runId);
  });

  it('cancel of a non-cancellable job is 409 with the reason, and appends nothing', async () => {
    const { body } = await t.request('POST', '/api/jobs/echo/run', { body: { reason: 'r' } });
    // The worker may append to this run meanwhile; a cancel would add an audit event and cancel events.
    const cancelEvents = async () =>
      Number(
        (
          await t.db.pool.query(
            `SELECT count(*) AS n FROM events WHERE type IN ('CancelRequested', 'RunCancelled') OR (type = 'OperatorActionRecorded' AND data->>'action' = 'run.cancel')`,
          )
        ).rows[0].n,
      );
    const before = await cancelEvents();
    const res = await t.request('POST', `/api/runs/${body.runId}/cancel`, { body: { reason: 'stop' } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/not cancellable/);
    expect(await cancelEvents()).toBe(before);
  });

  it('a timeout kills a hanging command (SIGTERM ignored → SIGKILL) and fails the run', async () => {
    const { body } = await t.request('POST', '/api/jobs/hang/run', { body: { reason: 'timeout test' } });
    await waitFor('the run failed (timeout)', async () => (await runState(body.runId)) === 'failed', 10_000);
    const run = (await t.request('GET', `/api/runs/${body.runId}`)).body.run;
    expect(run.error).toMatch(/^timeout/);
    expect(run.durationMs).toBeLessThan(3000);
    const pid = Number(/pid (\d+)/.exec(run.logTail)![1]);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(run.logTail).toMatch(/SIGKILL/);
  });

  it('cooperative cancel of a running cancellable run', async () => {
    const { body } = await t.request('POST', '/api/jobs/slow/run', { body: { reason: 'r' } });
    await waitFor('the run is running', async () => (await runState(body.runId)) === 'running');
    const res = await t.request('POST', `/api/runs/${body.runId}/cancel`, { body: { reason: 'no longer needed' } });
    expect(res.status).toBe(202);
    expect(res.body.state).toBe('cancelling');
    await waitFor('the run is cancelled', async () => (await runState(body.runId)) === 'cancelled');
    const types = (await t.request('GET', `/api/runs/${body.runId}`)).body.events.map((e: any) => e.type);
    expect(types).toEqual(['RunEnqueued', 'RunClaimed', 'CancelRequested', 'RunCancelled']);
    // A cancelled run can be retried, with adjusted params.
    const retry = await t.request('POST', `/api/runs/${body.runId}/retry`, { body: { reason: 'after all', params: { dryRun: true } } });
    expect(retry.status).toBe(202);
    expect(retry.body.retryOf).toBe(body.runId);
    await t.request('POST', `/api/runs/${retry.body.runId}/cancel`, { body: { reason: 'cleanup' } });
  });

  it('the OpenAPI document lists every jobs and system endpoint', async () => {
    const paths = Object.keys((await t.request('GET', '/api/docs/json', { token: null })).body.paths);
    for (const p of [
      '/api/jobs',
      '/api/jobs/{name}',
      '/api/jobs/{name}/run',
      '/api/runs',
      '/api/runs/{id}',
      '/api/runs/{id}/cancel',
      '/api/runs/{id}/retry',
      '/api/system/queue',
      '/api/system/workers',
      '/api/system/runs/recent',
      '/api/system/metrics',
      '/api/system/janitor',
      '/api/system/fail-active',
      '/api/system/cancel-pending',
    ]) {
      expect(paths).toContain(p);
    }
  });
});

describe('jobs API (e2e): queue snapshot and system status over a known history', () => {
  let t: TestApp;
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;
  const runTo = async (job: string, end: string) => {
    const { body } = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'history for the status views' } });
    await waitFor(`${job} run ${end}`, async () => (await runState(body.runId)) === end, 10_000);
  };

  // Five runs that succeed and one that times out (one attempt: dead-lettered).
  beforeAll(async () => {
    t = await startTestApp({
      OPSLEDGER_CONFIG: configFile(),
      CRON_SECRET: SECRET,
      WORKER_POLL_MS: '50',
      WORKER_HEARTBEAT_MS: '200',
      JOB_KILL_GRACE_MS: '300',
      WORKER_CONCURRENCY: '4',
    });
    await Promise.all([...Array.from({ length: 5 }, () => runTo('echo', 'succeeded')), runTo('hang', 'failed')]);
  });
  afterAll(async () => t?.close());

  it('/api/health adds the queue snapshot only with the right CRON_SECRET', async () => {
    const plain = await t.request('GET', '/api/health', { token: null });
    expect(plain.body.queue).toBeUndefined();
    const wrong = await t.request('GET', '/api/health', { token: 'not-the-secret' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.queue).toBeUndefined();
    const right = await t.request('GET', '/api/health', { token: SECRET });
    expect(right.status).toBe(200);
    expect(right.body.queue).toEqual({
      pending: expect.any(Number),
      retrying: expect.any(Number),
      processing: expect.any(Number),
      dead_letter: expect.any(Number),
      oldest_ready_at: null,
      oldest_ready_age_seconds: null,
    });
    expect(right.body.queue.dead_letter).toBeGreaterThanOrEqual(1); // the timed-out run
  });

  it('system status: queue totals, workers, recent runs, metrics; confirmation required', async () => {
    const q = (await t.request('GET', '/api/system/queue')).body;
    expect(q).toMatchObject({ completed: expect.any(Number), failed: 1, pending: expect.any(Number), active: expect.any(Number), retry: 0 });
    const w = (await t.request('GET', '/api/system/workers')).body.workers;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ status: 'online', mode: 'all', pid: process.pid });
    const recent = (await t.request('GET', '/api/system/runs/recent')).body.runs;
    expect(recent.length).toBeGreaterThanOrEqual(5);
    const m = await waitFor('the hang job in GET /api/system/metrics', async () => {
      const b = (await t.request('GET', '/api/system/metrics?window=24h')).body;
      return b.jobs?.find((j: any) => j.job === 'hang') ? b : null;
    });
    expect(m.jobs.find((j: any) => j.job === 'hang')).toMatchObject({ runs: 1, failures: 1, successRate: 0, band: 'red' });
    expect((await t.request('GET', '/api/system/metrics?window=soon')).status).toBe(400);
    const noConfirm = await t.request('POST', '/api/system/fail-active', { body: { reason: 'x' } });
    expect(noConfirm.status).toBe(400);
    expect(noConfirm.body.fields.map((f: any) => f.field)).toContain('confirm');
    const jan = await t.request('POST', '/api/system/janitor', { body: { reason: 'check' } });
    expect(jan.status).toBe(200);
    expect(jan.body).toMatchObject({ failedActive: 0, reapedWorkers: 0 });
  });
});

describe('start-up with an invalid job definition', () => {
  // Nest exits the process on a provider error, so this runs the real program as a child.
  it('stops with a message naming the job and the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-badjobs-'));
    const file = path.join(dir, 'jobs.yaml');
    writeFileSync(file, 'jobs:\n  - name: nightly\n    schedule: "0 25 * * *"\n');
    const db = await createTestDatabase(1);
    try {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
        cwd: path.resolve(__dirname, '../..'),
        env: {
          PATH: process.env.PATH,
          ...TEST_SERVER_KEYS,
          APP_MODE: 'worker',
          DATABASE_URL: db.url,
          OPSLEDGER_CONFIG: file,
          LOG_LEVEL: 'error',
          NODE_ENV: 'test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (c) => (out += c));
      child.stderr!.on('data', (c) => (out += c));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).not.toBe(0);
      expect(out).toMatch(/job \\?"nightly\\?": field \\?"schedule\\?" is not a valid cron expression/);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
