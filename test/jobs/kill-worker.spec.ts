import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MainProcess } from '../support/main-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { jobsConfig, runtimeOn, TestRuntime } from './harness';
import { waitFor } from '../support/wait-for';

describe('kill -9 of a worker process mid-run', () => {
  let db: TestDatabase;
  let child: MainProcess | null = null;
  let rt: TestRuntime;
  let pidFile: string;

  beforeAll(async () => {
    db = await createTestDatabase(2);
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-kill-'));
    pidFile = path.join(dir, 'attempt1.pid');
    const config = path.join(dir, 'jobs.json');
    // Attempt 1 writes its pid and hangs; any later attempt finishes at once.
    const script =
      'if (process.env.OPSLEDGER_RUN_ATTEMPT === "1") { require("fs").writeFileSync(process.env.PIDFILE, String(process.pid)); setInterval(() => {}, 1000); } else console.log("attempt " + process.env.OPSLEDGER_RUN_ATTEMPT + " done")';
    writeFileSync(
      config,
      JSON.stringify({
        jobs: [
          {
            name: 'long-task',
            maxAttempts: 3,
            timeout: '60s',
            backoff: { kind: 'fixed', base: 0 },
            handler: { kind: 'command', argv: [process.execPath, '-e', script], env: ['PIDFILE'] },
          },
        ],
      }),
    );
    child = new MainProcess({
      APP_MODE: 'worker',
      DATABASE_URL: db.url,
      OPSLEDGER_CONFIG: config,
      PIDFILE: pidFile,
      WORKER_HEARTBEAT_MS: '200',
      WORKER_POLL_MS: '50',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      PROJECTION_RUNNER_AUTOSTART: 'false',
    });
    rt = runtimeOn(db.url, { config: jobsConfig({ WORKER_REAP_AFTER_MS: '1500' }) });
    rt.catalog.addFromConfig(JSON.parse(readFileSync(config, 'utf8')).jobs, dir);
  }, 60_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    // The orphaned attempt-1 command outlived its worker (as it would); end it.
    if (existsSync(pidFile))
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        /* gone */
      }
    await rt.close();
    await db.drop();
  });

  it('the run is abandoned, retried by another worker, and the events tell the whole story', async () => {
    const childWorker = await waitFor(
      'the child worker registered',
      async () => {
        const { rows } = await rt.pool.query(`SELECT id FROM job_workers WHERE pid = $1`, [child!.pid]);
        return rows[0]?.id as string | undefined;
      },
      45_000,
      100,
    ).catch((err) => {
      throw new Error(`${err.message}; child output:\n${child!.output}`);
    });

    const [runId] = await rt.enqueueMany('long-task', 1);
    await waitFor('attempt 1 started (its pid file)', async () => existsSync(pidFile), 15_000);
    child!.kill('SIGKILL');
    await child!.exited;

    // A surviving worker (this process) reaps the dead one on its heartbeat and runs the retry.
    const survivor = rt.newWorker({ mode: 'worker', version: 'test' }, { onHeartbeat: async (_s, w) => void (await rt.reaper.reap(1500, w.id)) });
    await survivor.start();
    try {
      await waitFor(
        'the retry succeeded',
        async () => (await rt.pool.query(`SELECT state FROM rm_job_queue WHERE key = $1`, [runId])).rows[0]?.state === 'succeeded',
        20_000,
      );
    } finally {
      await survivor.stop(2000);
    }
    const { rows } = await rt.pool.query(`SELECT type, data FROM events WHERE stream_id = $1 ORDER BY revision`, [`job-${runId}`]);
    expect(rows.map((r) => r.type)).toEqual(['RunEnqueued', 'RunClaimed', 'RunAbandoned', 'RetryScheduled', 'RunClaimed', 'RunSucceeded']);
    expect(rows[1].data.workerId).toBe(childWorker);
    expect(rows[2].data).toMatchObject({ workerId: childWorker, attempt: 1 });
    expect(rows[3].data.attempt).toBe(2);
    expect(rows[4].data).toMatchObject({ workerId: survivor.id, attempt: 2 });
    expect(rows[5].data.logTail).toContain('attempt 2 done');
    const w = await rt.pool.query(`SELECT type, data FROM events WHERE stream_id = $1 ORDER BY revision`, [`worker-${childWorker}`]);
    expect(w.rows.map((r) => r.type)).toEqual(['WorkerStarted', 'WorkerReaped']);
    expect(w.rows[1].data.abandonedRuns).toEqual([runId]);
  });
});
