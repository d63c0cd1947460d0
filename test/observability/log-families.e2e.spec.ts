import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAST_POLLING_ENV, FlakyServer, refusedPort, startFlakyServer } from '../polling/support';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { signIn } from '../console/session-client';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { LogLine, MemoryLog } from './memory-log';

const node = process.execPath;

/**
 * The log families of docs/operations.md, table-driven, against one real app: each row does what
 * makes the service write the family's lines, then reads each line back with its fields. The rows
 * run in order (a dead-lettered target before it recovers, stop lines after the app closed);
 * log-family-coverage.unit.spec.ts checks that every documented family is read back here or in the
 * test it names.
 */
describe('structured log families (e2e)', () => {
  const log = new MemoryLog();
  let t: TestApp;
  let s: FlakyServer;
  const runIds: Record<string, string> = {};
  let consoleSession = '';
  /** Runs the Fail Active Jobs row force-failed. */
  let forceFailed = 0;

  beforeAll(async () => {
    s = await startFlakyServer();
    s.modes.set('flaky', '500');
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-logs-'));
    const config = path.join(dir, 'opsledger.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: [{ type: 'instance', name: 'eu-1', probe: { kind: 'http', url: `${s.base}/switch/flaky` }, intervalSeconds: 0.2, adaptive: false }],
        jobs: [
          { name: 'every-second', schedule: '* * * * * *', catchUp: 'once', handler: { kind: 'command', argv: [node, '-e', ''] } },
          {
            name: 'fails',
            schedule: 'on-demand',
            maxAttempts: 2,
            backoff: { kind: 'fixed', base: 0 },
            handler: { kind: 'command', argv: [node, '-e', 'process.exit(2)'] },
          },
          { name: 'blocked', schedule: 'on-demand', maxAttempts: 1, handler: { kind: 'http', method: 'POST', url: 'http://169.254.169.254/latest/meta-data' } },
          { name: 'slow', schedule: 'on-demand', timeout: '30s', handler: { kind: 'command', argv: [node, '-e', 'setInterval(() => {}, 1000)'] } },
          { name: 'unclaimed', schedule: 'on-demand', handler: { kind: 'code', handler: 'registered-nowhere' } },
        ],
      }),
    );
    t = await startTestApp(
      {
        ...FAST_POLLING_ENV,
        OPSLEDGER_CONFIG: config,
        LOG_LEVEL: 'info',
        WORKER_POLL_MS: '50',
        WORKER_HEARTBEAT_MS: '200',
        JOB_KILL_GRACE_MS: '200',
        // Every second's tick, looked at every 1.5 s with 100 ms of grace: some are on time, most are missed.
        CRON_TICK_MS: '1500',
        CRON_MISSED_GRACE_MS: '100',
        DEAD_LETTER_STREAK: '4',
        DEAD_LETTER_RETRY_SCHEDULE: '0.6,0.6',
        ALERT_EVAL_MS: '200',
        ALERT_WEBHOOK_URLS: `http://127.0.0.1:${await refusedPort()}/hook`,
        JANITOR_DROP_FAILED_AFTER_MS: '500',
        AUTH_FAILURE_LIMIT: '3',
        AUTH_FAILURE_WINDOW_MS: '60000',
      },
      undefined,
      { logDestination: log },
    );
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await t?.close();
  };
  afterAll(async () => {
    await close();
    await s?.close();
  });

  const run = async (job: string) => {
    const res = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'log families' } });
    expect(res.status).toBe(202);
    return (runIds[job] = res.body.runId);
  };
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;

  /** Takes every poll partition away from the scheduler, as another process's takeover would (a new term). */
  const takeSchedulerLeases = () => t.db.pool.query(`UPDATE poll_partitions SET owner = NULL, term = term + 1, lease_until = NULL`);

  interface Row {
    /** What the row does. */
    readonly does: string;
    readonly trigger?: () => Promise<unknown>;
    /** Each line read back: its event, level and fields (a function for fields known only after the trigger). */
    readonly lines: readonly [event: string, level: number, fields?: Record<string, unknown> | (() => Record<string, unknown>)][];
  }
  const INFO = 30;
  const WARN = 40;
  const ERROR = 50;

  const rows: Row[] = [
    {
      does: 'start-up',
      lines: [
        ['audit.chain_head', INFO, { position: /^\d+$/, head: /^\d+:[0-9a-f]+$/ }],
        ['targets.reconciled', INFO, { added: 1, changed: 0, removed: 0 }],
        ['leader.acquired', INFO, { lock: 'alert-evaluator', term: 1 }],
        ['projection.lock_acquired', INFO, { projection: 'job_runs' }],
        ['scheduler.active', INFO, { instanceId: /./ }],
        ['worker.started', INFO, { workerId: /./, concurrency: 10 }],
      ],
    },
    {
      does: 'any request',
      trigger: () => t.request('GET', '/api/jobs'),
      lines: [['http.request', INFO, { method: 'GET', path: '/api/jobs', status: 200, requestId: /./ }]],
    },
    {
      does: 'run-now of a job that fails twice: claimed, failed, retried, dead-lettered',
      trigger: async () => {
        await run('fails');
        await waitFor('the run is dead-lettered', async () => (await runState(runIds.fails)) === 'failed');
      },
      lines: [
        ['audit.job.run', INFO, () => ({ outcome: 'applied', actor: 'bootstrap-admin', target: 'job:fails', reason: 'log families', auditEventId: /./ })],
        [
          'background_job_batch.claimed',
          INFO,
          // An every-second run may share the batch on a loaded machine.
          () => ({
            workerId: /./,
            jobs: { fails: 1 },
            runs: (runs: { runId: string; job: string; attempt: number }[]) =>
              runs.some((r) => r.runId === runIds.fails && r.job === 'fails' && r.attempt === 1),
          }),
        ],
        ['background_job.failed', WARN, () => ({ runId: runIds.fails, error: 'exit code 2', exitCode: 2 })],
        ['background_job.retrying', WARN, () => ({ runId: runIds.fails, attempt: 2 })],
        ['background_job.dead_letter', ERROR, () => ({ runId: runIds.fails, attempts: 2, reason: 'exit code 2' })],
        ['background_job_batch.finished', INFO, { workerId: /./, deadLettered: 1, failed: 1 }],
        ['background_job_batch.finished', INFO, { workerId: /./, retrying: 1, failed: 1 }],
      ],
    },
    {
      does: 'an http job aimed at the cloud metadata address',
      trigger: async () => {
        await run('blocked');
        await waitFor('the run is dead-lettered', async () => (await runState(runIds.blocked)) === 'failed');
      },
      lines: [['egress.refused', WARN, { host: '169.254.169.254', address: '169.254.169.254', port: 80, reason: 'link_local' }]],
    },
    {
      does: 'the cron ticker on a schedule of every second',
      lines: [
        ['background_job_cron.tick', INFO, { job: 'every-second', tick: /Z$/, runId: /./ }],
        ['background_job_cron.missed', WARN, { job: 'every-second', policy: 'once' }],
      ],
    },
    {
      does: 'a target that answers 500: failures, breaker, dead-letter, a failed dead-letter retry',
      lines: [
        ['poll.failed', WARN, { key: 'instance::eu-1', failureKind: 'http_5xx', category: 'transient', statusCode: 500 }],
        ['breaker.opened', WARN, { key: 'instance::eu-1', retryAt: /Z$/ }],
        ['breaker.half_opened', INFO, { key: 'instance::eu-1' }],
        ['target.dead_lettered', WARN, { key: 'instance::eu-1', nextRetry: /Z$/ }],
        ['target.dead_letter_retry_failed', WARN, { key: 'instance::eu-1' }],
      ],
    },
    {
      does: 'ops health while the only target is dead-lettered',
      trigger: () => t.request('GET', '/api/ops/health', { token: null }),
      lines: [['health_check.degraded', WARN, { status: /degraded|unhealthy/, issues: { 0: /./ } }]],
    },
    {
      does: 'the upstream recovers',
      trigger: async () => s.modes.set('flaky', 'ok'),
      lines: [
        ['target.recovered', INFO, { key: 'instance::eu-1' }],
        ['breaker.closed', INFO, { key: 'instance::eu-1' }],
      ],
    },
    {
      does: 'the alert evaluator sees the dead-lettered runs; its webhook is unreachable',
      lines: [
        ['alert.fired', WARN, { rule: 'dead_letter_nonzero', summary: /job run\(s\) dead-lettered/ }],
        // The alert webhook is a subscription to AlertFired: its first failed attempt is logged, retries follow.
        ['webhook.attempt_failed', WARN, { subscriptionId: /./, errorKind: /./, url: /^http:\/\/127\.0\.0\.1:\d+$/ }],
      ],
    },
    {
      does: 'Fail Active Jobs while a run is running',
      trigger: async () => {
        await run('slow');
        await waitFor('the run is running', async () => (await runState(runIds.slow)) === 'running');
        const res = await t.request('POST', '/api/system/fail-active', { body: { confirm: true, reason: 'stuck workers' } });
        expect(res.status).toBe(200);
        // The slow run, and an every-second run if one was still starting its process (a loaded machine).
        expect(res.body.failed).toBeGreaterThanOrEqual(1);
        expect(await runState(runIds.slow)).toBe('failed');
        forceFailed = res.body.failed;
      },
      lines: [['background_job.fail_active', WARN, () => ({ actor: 'bootstrap-admin', failed: forceFailed })]],
    },
    {
      does: 'Cancel All Pending while a run waits for a worker that can run it',
      trigger: async () => {
        await run('unclaimed');
        expect((await t.request('POST', '/api/system/cancel-pending', { body: { confirm: true, reason: 'drain' } })).status).toBe(200);
      },
      lines: [['background_job.cancel_pending', WARN, { actor: 'bootstrap-admin', cancelled: 1 }]],
    },
    {
      does: 'Run Janitor Now: the failed runs leave the queue view, and the alert resolves',
      trigger: async () => {
        await new Promise((r) => setTimeout(r, 600)); // JANITOR_DROP_FAILED_AFTER_MS
        const res = await t.request('POST', '/api/system/janitor', { body: { reason: 'tidy' } });
        expect(res.status).toBe(200);
        // The dead-lettered `fails` and `blocked` runs and the force-failed ones.
        expect(res.body.droppedFailed).toBe(2 + forceFailed);
      },
      lines: [
        ['background_job.janitor', INFO, () => ({ by: 'bootstrap-admin', droppedFailed: 2 + forceFailed })],
        ['alert.resolved', WARN, { rule: 'dead_letter_nonzero' }],
      ],
    },
    {
      does: 'a projection rebuild',
      trigger: async () => expect((await t.request('POST', '/api/projections/alerts/rebuild', { body: { reason: 'log families' } })).status).toBeLessThan(300),
      lines: [
        ['projection.rebuild_started', INFO, { projection: 'alerts' }],
        ['projection.rebuilt', INFO, { projection: 'alerts' }],
      ],
    },
    {
      does: 'a console session: sign-in, a POST without its CSRF token, sign-out',
      trigger: async () => {
        const c = await signIn(t, t.adminToken);
        consoleSession = c.sessionId;
        expect((await c.request('POST', '/api/system/janitor', { body: { reason: 'log families' }, csrf: null })).status).toBe(403);
        expect((await c.request('DELETE', '/api/session')).status).toBe(200);
      },
      lines: [
        ['session.started', INFO, () => ({ sessionId: consoleSession, actor: 'bootstrap-admin', ip: '127.0.0.1' })],
        ['auth.csrf_refused', WARN, () => ({ sessionId: consoleSession, method: 'POST', path: '/api/system/janitor', problem: /x-csrf-token/i })],
        ['session.ended', INFO, () => ({ sessionId: consoleSession, reason: 'sign-out', actor: 'bootstrap-admin' })],
      ],
    },
    {
      does: 'a made-up token',
      trigger: () => t.request('GET', '/api/jobs', { token: `olt_${'Q'.repeat(43)}` }),
      lines: [['auth.failed', WARN, { reason: 'unknown_token', method: 'GET', path: '/api/jobs' }]],
    },
    {
      does: 'more bad tokens than AUTH_FAILURE_LIMIT from one address',
      trigger: async () => {
        for (let i = 0; i < 3; i++) await t.request('GET', '/api/jobs', { token: `olt_${'R'.repeat(43)}` });
      },
      lines: [['auth.address_limited', WARN, { address: '127.0.0.1', failures: 3, windowMs: 60000 }]],
    },
    {
      does: "the connection holding the alert evaluator's lock is cut, the poll scheduler's partitions are taken over",
      trigger: async () => {
        await t.db.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsledger-alert-evaluator'`,
        );
        await takeSchedulerLeases();
        await waitFor('the scheduler is active again', () => log.find('scheduler.active').length >= 2);
      },
      lines: [
        ['leader.lost', WARN, { lock: 'alert-evaluator', term: 1 }],
        ['scheduler.lock_lost', WARN, { owner: /./ }],
        ['leader.acquired', INFO, { lock: 'alert-evaluator', term: 2 }],
      ],
    },
    {
      does: 'the targets read model is missing while the scheduler takes over and a target event arrives',
      trigger: async () => {
        await t.db.pool.query('ALTER TABLE rm_targets RENAME TO rm_targets_away');
        try {
          await takeSchedulerLeases();
          await log.waitFor('scheduler.failed');
          // The scheduler cannot load, so it polls nothing: a poll-now written straight to the log is the event the runner cannot apply.
          await t.app
            .get<EventStore>(EVENT_STORE)
            .append('target-instance::eu-1', [{ type: 'PollRequested', data: { key: 'instance::eu-1', at: new Date().toISOString() } }], 'any');
          await log.waitFor('projection.failed', { projection: 'targets' });
        } finally {
          await t.db.pool.query('ALTER TABLE rm_targets_away RENAME TO rm_targets');
        }
        await waitFor('the scheduler is active again', () => log.find('scheduler.active').length >= 3);
      },
      lines: [
        ['scheduler.failed', ERROR, { err: { message: /rm_targets/ } }],
        ['projection.failed', ERROR, { projection: 'targets' }],
      ],
    },
    {
      does: "the poll partition leases' table is out of reach for a moment",
      trigger: async () => {
        await t.db.pool.query('ALTER TABLE poll_partitions RENAME TO poll_partitions_away');
        try {
          await log.waitFor('scheduler.lease_error');
        } finally {
          await t.db.pool.query('ALTER TABLE poll_partitions_away RENAME TO poll_partitions');
        }
      },
      lines: [['scheduler.lease_error', WARN, { err: { message: /poll_partitions/ } }]],
    },
    {
      does: 'closing the app',
      trigger: close,
      lines: [
        ['worker.stopped', INFO, { workerId: /./ }],
        ['scheduler.released', INFO, {}],
        ['projection.lock_released', INFO, { projection: 'job_runs' }],
        ['leader.released', INFO, { lock: 'alert-evaluator', term: 2 }],
      ],
    },
  ];

  it.each(rows.map((r) => [r.does, r] as const))('%s', async (_does, row) => {
    await row.trigger?.();
    for (const [event, level, fields] of row.lines) {
      const want = typeof fields === 'function' ? fields() : (fields ?? {});
      const line: LogLine = await log.waitFor(event, want);
      expect(line.level).toBe(level);
      expect(typeof line.msg).toBe('string');
    }
  });

  it('no line carries the admin token', () => {
    expect(log.lines.some((l) => JSON.stringify(l).includes(t.adminToken))).toBe(false);
  });
});
