import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlertEvaluator } from '../../src/alerts/alert-evaluator';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const node = process.execPath;
const SECRET = 'cron-secret-for-signals';

/** The value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return undefined;
}

/** The app with an on-demand job and a cron job that always fails (one attempt). */
async function startApp(): Promise<TestApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-signals-'));
  const config = path.join(dir, 'jobs.json');
  writeFileSync(
    config,
    JSON.stringify({
      jobs: [
        { name: 'echo', schedule: 'on-demand', handler: { kind: 'command', argv: [node, '-e', 'console.log("ok")'] } },
        { name: 'flaky-cron', schedule: '0 0 1 1 *', maxAttempts: 1, handler: { kind: 'command', argv: [node, '-e', 'process.exit(2)'] } },
      ],
    }),
  );
  return startTestApp({
    OPSLEDGER_CONFIG: config,
    CRON_SECRET: SECRET,
    ALERT_EVAL_MS: '3600000',
    WORKER_CONCURRENCY: '2',
    WORKER_POLL_MS: '50',
    WORKER_HEARTBEAT_MS: '200',
  });
}

/** Runs `job` now and waits until the run ends in `end`. */
async function runTo(t: TestApp, job: string, end: string): Promise<string> {
  const res = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'signals test' } });
  expect(res.status).toBe(202);
  await waitFor(`${job} run ${end}`, async () => (await t.request('GET', `/api/runs/${res.body.runId}`)).body.run?.state === end);
  return res.body.runId as string;
}

describe('job alert sources (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(async () => t?.close());

  it("alerts: dead_letter_nonzero and cron_failing fire once a cron job's run fails and is dead-lettered", async () => {
    const evaluator = t.app.get(AlertEvaluator);
    const rules = (events: { data: { rule: string } }[]) => events.map((e) => e.data.rule);
    expect(rules(await evaluator.evaluate())).not.toEqual(expect.arrayContaining(['dead_letter_nonzero']));
    expect(rules(await evaluator.evaluate())).not.toContain('cron_failing');

    await runTo(t, 'echo', 'succeeded');
    await runTo(t, 'echo', 'succeeded');
    await runTo(t, 'flaky-cron', 'failed');
    const fired = await evaluator.evaluate();
    expect(fired.filter((e) => e.type === 'AlertFired').map((e) => e.data.rule)).toEqual(expect.arrayContaining(['dead_letter_nonzero', 'cron_failing']));
    expect(JSON.stringify(fired.find((e) => e.data.rule === 'cron_failing')?.data)).toContain('flaky-cron: last run failed');
  });
});

// Its own app, with the same runs made up front: the metrics and timeline tests read them.
describe('job metrics and timeline summaries (e2e)', () => {
  let t: TestApp;
  const startedAt = new Date(Date.now() - 1000).toISOString();
  beforeAll(async () => {
    t = await startApp();
    await runTo(t, 'echo', 'succeeded');
    await runTo(t, 'echo', 'succeeded');
    await runTo(t, 'flaky-cron', 'failed');
  });
  afterAll(async () => t?.close());

  it('/metrics: queue gauges equal the /api/health snapshot; run counters and duration histograms count the runs', async () => {
    const health = (await t.request('GET', '/api/health', { token: SECRET })).body;
    const scrape = async () => {
      const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      expect(res.status).toBe(200);
      return res.text();
    };
    // The worker counts a result right after its write commits, a moment after the run reads as ended.
    const text = await waitFor(
      '/metrics counts the flaky-cron run',
      async () => {
        const body = await scrape();
        return sample(body, 'opsledger_job_duration_seconds_count', { job: 'flaky-cron' }) === 1 && body;
      },
      5000,
    );
    const snapshot = health.queue ?? health;
    for (const s of ['pending', 'retrying', 'processing', 'dead_letter'])
      expect({ s, v: sample(text, 'opsledger_queue_jobs', { state: s }) }).toEqual({ s, v: snapshot[s] });
    expect(snapshot.dead_letter).toBe(1);
    expect(sample(text, 'opsledger_queue_oldest_ready_age_seconds')).toBe(snapshot.oldest_ready_age_seconds ?? 0);
    expect(sample(text, 'opsledger_cron_problems')).toBe(1);
    expect(sample(text, 'opsledger_job_runs_total', { job: 'echo', outcome: 'succeeded' })).toBe(2);
    expect(sample(text, 'opsledger_job_runs_total', { job: 'flaky-cron', outcome: 'failed' })).toBe(1);
    expect(sample(text, 'opsledger_job_duration_seconds_count', { job: 'echo' })).toBe(2);
    expect(sample(text, 'opsledger_job_duration_seconds_sum', { job: 'echo' })).toBeGreaterThan(0);
    expect(sample(text, 'opsledger_job_duration_seconds_bucket', { job: 'flaky-cron', le: '+Inf' })).toBe(1);
  });

  it("timeline ?job= shows every event of the job's runs with a one-line summary", async () => {
    const to = new Date(Date.now() + 1000).toISOString();
    // The timeline is gap-safe: a background transaction in flight holds back later commits briefly.
    const res = await waitFor(
      'the five events of the run in the timeline',
      async () => {
        const r = await t.request('GET', `/api/timeline?from=${startedAt}&to=${to}&job=flaky-cron`);
        return r.body.items?.length >= 5 && r;
      },
      5000,
    );
    expect(res.status).toBe(200);
    const items: { type: string; summary: string }[] = res.body.items;
    expect(items.map((i) => i.type)).toEqual(['JobDefined', 'RunEnqueued', 'RunClaimed', 'RunFailed', 'RunDeadLettered']);
    const [defined, enqueued, claimed, failed, dead] = items.map((i) => i.summary);
    expect(defined).toBe('job flaky-cron defined from config: 0 0 1 1 * (UTC)');
    expect(enqueued).toMatch(/^flaky-cron run [0-9a-f]{8}… enqueued by bootstrap-admin \(manual\): 'signals test'$/);
    expect(claimed).toMatch(/^flaky-cron run [0-9a-f]{8}… claimed by worker \S+ \(attempt 1\)$/);
    expect(failed).toMatch(/^flaky-cron run [0-9a-f]{8}… failed after \d+\.\d s: exit code 2$/);
    expect(dead).toMatch(/^flaky-cron run [0-9a-f]{8}… dead-lettered after 1 attempt\(s\): /);
  });
});
