import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { waitFor } from '../support/wait-for';
import { waitForStream } from '../support/wait-for-events';
import { startTestApp, TestApp } from '../support/test-app';

const node = process.execPath;
/** Fails the first time it runs for a marker file, succeeds after. */
const FAILS_ONCE = `const p = JSON.parse(process.env.OPSLEDGER_PARAMS); const fs = require('fs');
if (fs.existsSync(p.marker)) process.exit(0); fs.writeFileSync(p.marker, '1'); process.exit(1);`;

const JOB_ENV = { JOB_DEFAULT_MAX_ATTEMPTS: '3', JOB_BACKOFF_BASE_MS: '100', WORKER_POLL_MS: '50', WORKER_HEARTBEAT_MS: '200', WORKER_CONCURRENCY: '2' };
// The configured policy, spelled out as a what-if policy (FAST_POLLING_ENV + JOB_ENV).
const CONFIGURED = {
  breaker: {
    failureThreshold: Number(FAST_POLLING_ENV.BREAKER_FAILURE_THRESHOLD),
    openBaseMs: Number(FAST_POLLING_ENV.BREAKER_OPEN_BASE_MS),
    openMaxMs: Number(FAST_POLLING_ENV.BREAKER_OPEN_MAX_MS),
  },
  deadLetter: { streak: Number(FAST_POLLING_ENV.DEAD_LETTER_STREAK), retryScheduleSeconds: FAST_POLLING_ENV.DEAD_LETTER_RETRY_SCHEDULE.split(',').map(Number) },
  jobs: { maxAttempts: Number(JOB_ENV.JOB_DEFAULT_MAX_ATTEMPTS), backoffBaseMs: Number(JOB_ENV.JOB_BACKOFF_BASE_MS) },
};

describe('POST /api/replay/what-if over a scripted incident (real scheduler, real HTTP targets, real job worker)', () => {
  let t: TestApp;
  let s: FlakyServer;
  let dir: string;
  let from: string;
  let to: string;
  const count = async () => Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  const register = async (name: string, p: string) => {
    const res = await t.request('POST', '/api/targets', {
      body: { type: 'instance', name, probe: { kind: 'http', url: `${s.base}${p}` }, intervalSeconds: 0.2, adaptive: false },
    });
    expect(res.status).toBe(201);
    return `instance::${name}`;
  };
  const until = (key: string, what: (types: string[]) => boolean, label: string) => waitForStream(t.db.pool, `target-${key}`, label, what);
  const runJob = async (job: string, params: Record<string, unknown> = {}) => {
    const res = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'scripted incident', params } });
    expect(res.status).toBe(202);
    return res.body.runId as string;
  };
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;
  const whatIf = async (policy: unknown) => {
    const res = await t.request('POST', '/api/replay/what-if', { body: { from, to, policy } });
    expect(res.status).toBe(200);
    return res.body;
  };
  const byKey = (body: any) => Object.fromEntries(body.targets.map((x: any) => [x.key, x]));
  const byJob = (body: any) => Object.fromEntries(body.jobs.map((x: any) => [x.job, x]));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsledger-what-if-'));
    const config = path.join(dir, 'opsledger.json');
    writeFileSync(
      config,
      JSON.stringify({
        jobs: [
          { name: 'always-fails', schedule: 'on-demand', handler: { kind: 'command', argv: [node, '-e', 'process.exit(1)'] } },
          { name: 'fails-once', schedule: 'on-demand', params: ['custom'], handler: { kind: 'command', argv: [node, '-e', FAILS_ONCE] } },
        ],
      }),
    );
    s = await startFlakyServer();
    t = await startTestApp({ ...FAST_POLLING_ENV, ...JOB_ENV, OPSLEDGER_CONFIG: config, ALERT_EVAL_MS: '3600000' });
    from = new Date(Date.now() - 1000).toISOString();

    // The incident: one target down for good, one flapping back, one healthy; one job failing for good, one failing once.
    s.modes.set('flap', '500');
    const down = await register('down', '/500');
    const flap = await register('flap', '/switch/flap');
    await register('up', '/ok');
    const failing = await runJob('always-fails');
    const once = await runJob('fails-once', { marker: path.join(dir, 'marker') });
    await until(flap, (ts) => ts.includes('BreakerOpened'), 'flap opens');
    s.modes.set('flap', 'ok');
    await until(flap, (ts) => ts.includes('BreakerClosed'), 'flap closes');
    await until(down, (ts) => ts.includes('DeadLetterRetryFailed'), 'down: a failed dead-letter retry');
    await waitFor('always-fails dead-lettered', async () => (await runState(failing)) === 'failed');
    await waitFor('fails-once succeeded', async () => (await runState(once)) === 'succeeded');
    // Pause polling (recorded, replayed as recorded), so the log stands still while the what-ifs read it.
    for (const key of [down, flap, 'instance::up'])
      expect((await t.request('PATCH', `/api/targets/${key}`, { body: { paused: true, reason: 'incident over' } })).status).toBe(200);
    // The log stands still once no probe is in flight: the scheduler says so in its report (a probe's
    // outcome is appended before it stops counting it). The first report after the pauses may have
    // been taken before them; the one after it was not.
    const report = async (after: string) =>
      (
        await t.db.pool.query<{ at: string; in_flight: number }>(
          `SELECT beat_at::text AS at, (detail->>'inFlight')::int AS in_flight FROM loop_states WHERE loop = 'poll-scheduler' AND beat_at > $1::timestamptz`,
          [after],
        )
      ).rows[0];
    const paused = (await t.db.pool.query<{ at: string }>('SELECT now()::text AS at')).rows[0].at;
    const first = await waitFor('a scheduler report after the pauses', () => report(paused));
    await waitFor('a later scheduler report with no probe in flight', async () => (await report(first.at))?.in_flight === 0);
    to = new Date().toISOString();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('with the configured policy, the what-if reproduces what happened exactly, and appends nothing', async () => {
    const before = await count();
    const body = await whatIf(CONFIGURED);
    expect(await count()).toBe(before);
    const targets = byKey(body);
    expect(Object.keys(targets).sort()).toEqual(['instance::down', 'instance::flap', 'instance::up']);
    // What happened (from the recorded transition events).
    expect(targets['instance::down'].actual).toMatchObject({ deadLetterEntries: 1 });
    expect(targets['instance::down'].actual.breakerOpens).toBeGreaterThanOrEqual(3);
    expect(targets['instance::down'].actual.deadLetterRetries).toBeGreaterThanOrEqual(1);
    expect(targets['instance::down'].actual.timeOpenSeconds).toBeGreaterThan(0);
    expect(targets['instance::flap'].actual.breakerOpens).toBeGreaterThanOrEqual(1);
    expect(targets['instance::up'].actual).toEqual({ breakerOpens: 0, timeOpenSeconds: 0, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 0 });
    const jobs = byJob(body);
    expect(jobs['always-fails']).toMatchObject({ runs: 1, actual: { retries: 2, deadLetters: 1, retryWaitSeconds: (100 + 200) / 1000 } });
    expect(jobs['fails-once']).toMatchObject({ runs: 1, actual: { retries: 1, deadLetters: 0, retryWaitSeconds: 0.1 } });
    // The replay with the same policy, through the same deciders: identical, target by target and job by job.
    for (const x of [...body.targets, ...body.jobs]) expect({ name: x.key ?? x.job, whatIf: x.whatIf }).toEqual({ name: x.key ?? x.job, whatIf: x.actual });
    expect(body.totals.targets.whatIf).toEqual(body.totals.targets.actual);
    expect(body.totals.jobs.whatIf).toEqual(body.totals.jobs.actual);
    expect(body.totals.jobs.whatIfUnknownOutcomes).toBe(0);
  });

  it('a policy that never opens or dead-letters: no opens, no dead-letters, nothing skipped', async () => {
    const body = await whatIf({ breaker: { failureThreshold: 1000 }, deadLetter: { streak: 1000 } });
    for (const x of body.targets)
      expect(x.whatIf).toEqual({ breakerOpens: 0, timeOpenSeconds: 0, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 0 });
    expect(body.totals.targets.actual.breakerOpens).toBeGreaterThan(0);
  });

  it('a longer open time refuses recorded half-open probes; one attempt per run dead-letters both jobs at once', async () => {
    const body = await whatIf({ breaker: { openBaseMs: 5000, openMaxMs: 5000 }, jobs: { maxAttempts: 1 } });
    const targets = byKey(body);
    expect(targets['instance::down'].actual.pollsSkipped).toBe(0);
    expect(targets['instance::down'].whatIf.pollsSkipped).toBeGreaterThan(0);
    expect(targets['instance::flap'].whatIf.pollsSkipped).toBeGreaterThan(0);
    const jobs = byJob(body);
    expect(jobs['always-fails'].whatIf).toEqual({ retries: 0, deadLetters: 1, retryWaitSeconds: 0 });
    expect(jobs['fails-once'].whatIf).toEqual({ retries: 0, deadLetters: 1, retryWaitSeconds: 0 });
  });

  it('more attempts and a longer backoff: more retries and waits, the extra attempt of always-fails has an unknown outcome', async () => {
    const body = await whatIf({ jobs: { maxAttempts: 4, backoffBaseMs: 1000 } });
    const jobs = byJob(body);
    expect(jobs['always-fails']).toMatchObject({ whatIf: { retries: 3, deadLetters: 0, retryWaitSeconds: 1 + 2 + 4 }, whatIfUnknownOutcomes: 1 });
    expect(jobs['fails-once']).toMatchObject({ whatIf: { retries: 1, deadLetters: 0, retryWaitSeconds: 1 }, whatIfUnknownOutcomes: 0 });
  });

  it('is listed in the OpenAPI document', async () => {
    const res = await t.request('GET', '/api/docs/json');
    expect(res.status).toBe(200);
    const op = res.body.paths['/api/replay/what-if'].post;
    expect(op.tags).toEqual(['replay']);
    expect(op.responses['200'].content['application/json'].schema.example.targets[0]).toHaveProperty('whatIf');
    expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/WhatIfDto/);
  });
});
