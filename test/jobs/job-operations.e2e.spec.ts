import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const node = process.execPath;
/** Fails its first run (a transient upstream error), succeeds once the marker file exists. */
const FLAKY = `const fs = require('fs'); const m = process.argv[1];
if (fs.existsSync(m)) { console.log('sent'); process.exit(0); }
fs.writeFileSync(m, 'x'); console.log('SendGrid 502'); process.exit(1);`;

/** The operator's screens (job inventory, drill-in, system status) as an operator uses them: inventory, drill-in, run-now, retry. */
describe('job operations (e2e)', () => {
  let t: TestApp;
  let hook: Server;
  const hookBodies: unknown[] = [];
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hookBodies.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-ops-'));
    const config = path.join(dir, 'jobs.json');
    writeFileSync(
      config,
      JSON.stringify({
        jobs: [
          {
            name: 'weekly-license-renewal-reminder',
            description: 'Sends renewal reminders',
            schedule: 'on-demand',
            maxAttempts: 1,
            handler: { kind: 'command', argv: [node, '-e', FLAKY, path.join(dir, 'marker')] },
          },
          {
            name: 'reminders',
            description: 'Sends reminders',
            schedule: 'on-demand',
            timeout: '30m',
            stuckAfter: '1h',
            expiresAfter: '2h',
            handler: { kind: 'command', argv: [node, '-e', ''] },
          },
          {
            name: 'rollup',
            schedule: 'on-demand',
            maxAttempts: 1,
            params: ['tenant', 'dryRun', 'timeRange'],
            handler: {
              kind: 'command',
              argv: [
                node,
                '-e',
                'console.log(JSON.stringify(process.argv.slice(1)))',
                '--',
                '--tenant={tenant}',
                '--dry-run={dryRun}',
                '--from={from}',
                '--to={to}',
              ],
            },
          },
          {
            name: 'hook',
            schedule: 'on-demand',
            params: ['tenant', 'dryRun', 'timeRange'],
            handler: { kind: 'http', method: 'POST', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/run` },
          },
        ],
      }),
    );
    t = await startTestApp({ OPSLEDGER_CONFIG: config, WORKER_POLL_MS: '50', WORKER_HEARTBEAT_MS: '200' });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => hook.close(r));
  });

  const run = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run;
  const finished = (id: string) => waitFor(`run ${id} finished`, async () => ['succeeded', 'failed'].includes((await run(id))?.state) && run(id));
  const detail = async (job: string) => (await t.request('GET', `/api/jobs/${job}`)).body;
  /** The log and every job read model, to show a refused request changed nothing. */
  const snapshot = async () => {
    const q = (sql: string) => t.db.pool.query(sql).then((r) => r.rows);
    return {
      events: await q(`SELECT count(*)::int AS n, max(position)::text AS head FROM events`),
      queue: await q(`SELECT key, revision FROM rm_job_queue ORDER BY key`),
      runs: await q(`SELECT key, state FROM rm_job_runs ORDER BY key`),
      audit: await q(`SELECT count(*)::int AS n FROM events WHERE type = 'OperatorActionRecorded'`),
    };
  };

  it('the inventory carries the expiration note, the stuck age (declared or default) and the accepted parameters', async () => {
    const jobs = (await t.request('GET', '/api/jobs')).body.jobs;
    const byName = Object.fromEntries(jobs.map((j: any) => [j.name, j]));
    expect(byName.reminders).toMatchObject({
      description: 'Sends reminders. Expires if still queued after 2 h.',
      expiresAfterMs: 7_200_000,
      stuckAfterMs: 3_600_000,
      params: [],
    });
    expect(byName.rollup).toMatchObject({ description: '', expiresAfterMs: null, stuckAfterMs: 900_000, params: ['tenant', 'dryRun', 'timeRange'] });
  });

  it('a transient failure, then a successful retry: the failure count stays 1 and the unresolved series and the attention flag drop to zero', async () => {
    const job = 'weekly-license-renewal-reminder';
    const first = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'weekly send' } });
    expect(first.status).toBe(202);
    expect(await finished(first.body.runId)).toMatchObject({ state: 'failed', logTail: expect.stringContaining('SendGrid 502') });
    const failing = await waitFor('the failure is in the trend', async () => {
      const d = await detail(job);
      return d.trend.at(-1).failures === 1 && d;
    });
    expect(failing.trend.at(-1)).toEqual({ day: today, runs: 1, failures: 1, unresolved: 1 });
    expect(failing.job.sla).toMatchObject({ unresolvedFailures: 1, attention: true });

    const retry = await t.request('POST', `/api/runs/${first.body.runId}/retry`, { body: { reason: 'transient SendGrid 502' } });
    expect(retry.status).toBe(202);
    expect(await finished(retry.body.runId)).toMatchObject({ state: 'succeeded', retryOf: first.body.runId });
    const resolved = await waitFor('the retry is in the trend', async () => {
      const d = await detail(job);
      return d.trend.at(-1).runs === 2 && d;
    });
    expect(resolved.trend.at(-1)).toEqual({ day: today, runs: 2, failures: 1, unresolved: 0 });
    expect(resolved.job.sla).toMatchObject({ unresolvedFailures: 0, attention: false });
    const line = (await t.request('GET', '/api/jobs')).body.jobs.find((j: any) => j.name === job);
    expect(line.sla).toMatchObject({ unresolvedFailures: 0, attention: false });
  });

  it('run-now parameters reach a command job through its argv placeholders and are recorded on the run', async () => {
    const params = { tenant: 'acme', dryRun: true, from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' };
    const res = await t.request('POST', '/api/jobs/rollup/run', { body: { reason: 'backfill March 1st for acme', params } });
    expect(res.status).toBe(202);
    const done = await finished(res.body.runId);
    expect(done).toMatchObject({ state: 'succeeded', params, tenant: 'acme' });
    expect(JSON.parse(done.logTail)).toEqual(['--tenant=acme', '--dry-run=true', '--from=2025-03-01T00:00:00Z', '--to=2025-03-02T00:00:00Z']);

    // Absent parameters: their arguments are left out; dryRun is false.
    const bare = await t.request('POST', '/api/jobs/rollup/run', { body: { reason: 'full run' } });
    expect(JSON.parse((await finished(bare.body.runId)).logTail)).toEqual(['--dry-run=false']);
  });

  it('run-now parameters reach an http job in its JSON body', async () => {
    const params = { tenant: 'acme', dryRun: false, from: '2025-03-01T00:00:00Z', to: '2025-03-01T12:00:00+02:00' };
    const res = await t.request('POST', '/api/jobs/hook/run', { body: { reason: 'replay for acme', params } });
    expect(await finished(res.body.runId)).toMatchObject({ state: 'succeeded', params });
    expect(hookBodies).toContainEqual({ job: 'hook', runId: res.body.runId, attempt: 1, params });
  });

  it.each([
    ['reminders', { dryRun: true }, 'params.dryRun', 'is not a parameter of job "reminders" (it declares no parameters; the job must declare dryRun)'],
    ['rollup', { region: 'eu' }, 'params.region', 'is not a parameter of job "rollup" (it accepts tenant, dryRun, timeRange)'],
    ['rollup', { dryRun: 'yes' }, 'params.dryRun', 'must be true or false'],
    ['rollup', { tenant: 42 }, 'params.tenant', 'must be a tenant id (string)'],
    ['rollup', { from: 'yesterday' }, 'params.from', 'must be an RFC 3339 timestamp'],
    ['rollup', { from: '2025-03-02T00:00:00Z', to: '2025-03-01T00:00:00Z' }, 'params.to', 'must not be before params.from'],
  ])('run-now of %s with %j is a 400 naming %s, and leaves the log and the read models unchanged', async (job, params, field, problem) => {
    // Earlier tests' runs (and their read-model rows) may still be settling: start from a still picture.
    let last = '';
    const before = await waitFor('the log and read models are still', async () => {
      const now = await snapshot();
      const same = JSON.stringify(now) === last;
      last = JSON.stringify(now);
      return same ? now : (await new Promise((r) => setTimeout(r, 200)), null);
    });
    const res = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'try it', params } });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ field, problem }]);
    expect(await snapshot()).toEqual(before);
  });

  it('a retry with adjusted parameters is checked against the job the same way', async () => {
    const failed = (await t.request('GET', '/api/runs?job=weekly-license-renewal-reminder&state=failed')).body.runs[0];
    const before = await snapshot();
    const res = await t.request('POST', `/api/runs/${failed.runId}/retry`, { body: { reason: 'with a tenant', params: { tenant: 'acme' } } });
    expect(res.status).toBe(400);
    expect(res.body.fields[0].field).toBe('params.tenant');
    expect(await snapshot()).toEqual(before);
  });
});
