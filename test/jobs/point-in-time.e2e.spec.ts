import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PointInTime } from '../../src/point-in-time/point-in-time.service';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const node = process.execPath;
/** Waits until the gate file named in its params exists, then exits with the code written in it. */
const GATED = `const p = JSON.parse(process.env.OPSLEDGER_PARAMS); const fs = require('fs');
setInterval(() => { if (fs.existsSync(p.gate)) process.exit(Number(fs.readFileSync(p.gate, 'utf8'))); }, 20);`;

interface Moment {
  readonly label: string;
  readonly jobs: { asOf: string; body: any };
  readonly queue: { asOf: string; body: any };
  readonly workers: { asOf: string; body: any };
}

describe('?at= on /api/jobs, /api/system/queue, /api/system/workers (e2e)', () => {
  let t: TestApp;
  let dir: string;
  const moments: Moment[] = [];
  const gate = (name: string) => path.join(dir, name);
  const open = (name: string, exitCode: number) => writeFileSync(gate(name), String(exitCode));
  const state = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;
  const until = (id: string, s: string) => waitFor(`run ${id} ${s}`, async () => (await state(id)) === s);
  const run = async (g: string) => {
    const res = await t.request('POST', '/api/jobs/gated/run', { body: { reason: 'scripted incident', params: { gate: gate(g) } } });
    expect(res.status).toBe(202);
    return res.body.runId as string;
  };
  const get = async (p: string) => {
    const res = await t.request('GET', p);
    expect(res.status).toBe(200);
    return { asOf: res.headers.get('x-opsledger-as-of')!, body: res.body };
  };
  const record = async (label: string) => {
    moments.push({ label, jobs: await get('/api/jobs'), queue: await get('/api/system/queue'), workers: await get('/api/system/workers') });
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsledger-pit-'));
    const config = path.join(dir, 'jobs.json');
    writeFileSync(
      config,
      JSON.stringify({
        jobs: [
          {
            name: 'gated',
            schedule: 'on-demand',
            params: ['custom'],
            maxAttempts: 2,
            cancellable: true,
            targetDuration: '1s',
            handler: { kind: 'command', argv: [node, '-e', GATED] },
          },
          // Scheduled far away: it never runs here, but its next run shows the view's `now`.
          { name: 'new-year', schedule: '0 0 1 1 *', handler: { kind: 'command', argv: [node, '-e', ''] } },
        ],
      }),
    );
    t = await startTestApp({
      OPSLEDGER_CONFIG: config,
      WORKER_CONCURRENCY: '1',
      WORKER_POLL_MS: '50',
      WORKER_HEARTBEAT_MS: '200',
      JOB_BACKOFF_BASE_MS: '4000',
      JOB_KILL_GRACE_MS: '300',
      PIT_SNAPSHOT_INTERVAL_MS: '3600000',
    });

    // The scripted sequence, recorded moment by moment: the tests below replay and read it.
    await record('started');
    const a = await run('a');
    await until(a, 'running');
    await record('a claimed');
    const b = await run('b');
    await until(b, 'pending');
    await record('b waiting');

    // A snapshot mid-way: later answers start from it and fold only what followed.
    await waitFor('rm_job_runs holds run b', async () => (await t.db.pool.query(`SELECT 1 FROM rm_job_runs WHERE key = $1`, [b])).rowCount);
    expect(await t.app.get(PointInTime).snapshotNow()).toContain('job_runs');

    open('a', 0);
    await until(a, 'succeeded');
    await until(b, 'running');
    await record('a succeeded, b claimed');
    open('b', 1);
    await until(b, 'retrying');
    await record('b failed, retry scheduled');
    await until(b, 'failed'); // the retry fails too (the gate still says 1): dead-lettered
    await record('b dead-lettered');
    const c = await run('c');
    await until(c, 'running');
    expect((await t.request('POST', `/api/runs/${c}/cancel`, { body: { reason: 'scripted cancel' } })).status).toBe(202);
    await until(c, 'cancelled');
    await record('c cancelled');
  });
  afterAll(async () => t?.close());

  it('records live bodies during a scripted sequence, then ?at= of each moment returns the same bodies', async () => {
    // The moments differ from each other, so the comparison below can fail.
    expect(new Set(moments.map((m) => JSON.stringify(m.queue.body))).size).toBeGreaterThanOrEqual(5);
    expect(moments[4].queue.body).toMatchObject({ completed: 1, retry: 1 });
    expect(moments[5].queue.body).toMatchObject({ completed: 1, failed: 1, retry: 0 });

    for (const m of moments) {
      const at = encodeURIComponent(m.jobs.asOf);
      const jobs = await t.request('GET', `/api/jobs?at=${at}`);
      expect({ moment: m.label, status: jobs.status, body: jobs.body }).toEqual({ moment: m.label, status: 200, body: m.jobs.body });
      expect(jobs.headers.get('x-opsledger-as-of')).toBe(m.jobs.asOf);
      const queue = await t.request('GET', `/api/system/queue?at=${encodeURIComponent(m.queue.asOf)}`);
      expect({ moment: m.label, body: queue.body }).toEqual({ moment: m.label, body: m.queue.body });
    }
  });

  it('workers at T: the live workers with their identity and status; running what they held then (heartbeat fields as documented)', async () => {
    const expectedRunning = [0, 1, 1, 1, 0, 0, 0];
    for (const [i, m] of moments.entries()) {
      const res = await t.request('GET', `/api/system/workers?at=${encodeURIComponent(m.workers.asOf)}`);
      expect(res.status).toBe(200);
      const pick = (w: any) => ({ id: w.id, host: w.host, pid: w.pid, mode: w.mode, version: w.version, concurrency: w.concurrency, status: w.status });
      expect({ moment: m.label, workers: res.body.workers.map(pick) }).toEqual({ moment: m.label, workers: m.workers.body.workers.map(pick) });
      expect({ moment: m.label, running: res.body.workers[0].nowRunning.length }).toEqual({ moment: m.label, running: expectedRunning[i] });
      // lastSeen is the worker's latest own event: never after T.
      expect(Date.parse(res.body.workers[0].lastSeen)).toBeLessThanOrEqual(Date.parse(m.workers.asOf));
    }
    // By the end it had recorded results for a, b (twice) and c: its processed count is rebuilt from its events.
    const last = await t.request('GET', `/api/system/workers?at=${encodeURIComponent(moments[moments.length - 1].workers.asOf)}`);
    expect(last.body.workers[0]).toMatchObject({ processed: 3, failed: 2 });
  });

  it('answers 400 naming `at` and the valid range for a time before the first event, in the future, or malformed', async () => {
    for (const p of ['/api/jobs', '/api/system/queue', '/api/system/workers']) {
      for (const at of ['2000-01-01T00:00:00Z', new Date(Date.now() + 3_600_000).toISOString(), 'yesterday']) {
        const res = await t.request('GET', `${p}?at=${encodeURIComponent(at)}`);
        expect({ p, at, status: res.status }).toEqual({ p, at, status: 400 });
        expect(res.body.fields[0].field).toBe('at');
        expect(res.body.message).toMatch(/valid range: from \S+ \(the first event\) to now/);
      }
    }
  });
});
