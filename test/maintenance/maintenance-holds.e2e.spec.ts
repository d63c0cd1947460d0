import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const echo = { kind: 'command', argv: [process.execPath, '-e', 'console.log("ran")'] };

function configFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-maintenance-holds-'));
  const file = path.join(dir, 'jobs.json');
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        { name: 'acme-sync', schedule: 'on-demand', tenant: 'acme', handler: echo },
        { name: 'acme-tick', schedule: '* * * * * *', catchUp: 'skip', tenant: 'acme', handler: echo },
        { name: 'globex-sync', schedule: 'on-demand', tenant: 'globex', handler: echo },
      ],
    }),
  );
  return file;
}

/**
 * A tenant in maintenance: its polls and job runs are held by the same check as a pause of the
 * whole tenant (the maintenance hold source), recorded as such — no PollFailed, no breaker, cron
 * ticks recorded as skipped by `maintenance` — and resume when the window ends. Other tenants go on.
 */
describe('maintenance holds the tenant’s polls and job runs', () => {
  let t: TestApp;
  let s: FlakyServer;
  const count = async (sql: string, args: unknown[] = []) => Number((await t.db.pool.query(sql, args)).rows[0].n);
  const polls = (key: string, type = "'PollSucceeded', 'PollFailed'") =>
    count(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type IN (${type})`, [`target-${key}`]);
  const runState = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run?.state;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    s = await startFlakyServer();
    t = await startTestApp({
      ...FAST_POLLING_ENV,
      POLL_TIMEOUT_MS: '2000', // a loaded machine must not turn a slow local answer into a failure here
      OPSLEDGER_CONFIG: configFile(),
      WORKER_POLL_MS: '50',
      WORKER_HEARTBEAT_MS: '200',
      CRON_TICK_MS: '200',
      MAINTENANCE_REFRESH_MS: '100',
    });
    for (const [tenant, name] of [
      ['acme', 'a1'],
      ['globex', 'g1'],
    ])
      expect(
        (
          await t.request('POST', '/api/targets', {
            body: { type: 'feed', name, tenant, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 0.2, adaptive: false },
          })
        ).status,
      ).toBe(201);
    await waitFor('both targets polled', async () => (await polls('feed::a1')) > 0 && (await polls('feed::g1')) > 0);
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  it('holds acme while its window is open (no probe, no claim, ticks skipped by maintenance), globex goes on; all resumes when it ends', async () => {
    // A run queued before the window (the whole worker held meanwhile, so it is certainly still queued).
    expect((await t.request('POST', '/api/jobs/worker/pause', { body: { reason: 'set up a queued run' } })).status).toBe(200);
    const held = await t.request('POST', '/api/jobs/acme-sync/run', { body: { reason: 'queued before maintenance' } });
    expect(held.status).toBe(202);
    const put = await t.request('PUT', '/api/tenants/acme/maintenance', {
      body: { mode: 'read_only', banner: 'Upgrading the acme shard', reason: 'PostgreSQL upgrade' },
    });
    expect(put.status).toBe(200);
    expect((await t.request('POST', '/api/jobs/worker/resume', { body: { reason: 'worker back' } })).status).toBe(200);
    await sleep(500); // a probe already in flight when the window opened may still record
    const a1Before = await polls('feed::a1');
    const a1OkBefore = await polls('feed::a1', "'PollSucceeded'");
    const a1FailedBefore = await polls('feed::a1', "'PollFailed'");
    const g1Before = await polls('feed::g1');
    // Run-now of a held job is refused, naming the hold (an admin may force it, as with a pause).
    const refused = await t.request('POST', '/api/jobs/acme-sync/run', { body: { reason: 'during maintenance' } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('maintenance');
    const free = await t.request('POST', '/api/jobs/globex-sync/run', { body: { reason: 'not in maintenance' } });
    await waitFor('globex ran', async () => (await runState(free.body.runId)) === 'succeeded');
    await waitFor(
      'acme ticks recorded as skipped by maintenance',
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM events WHERE type = 'TickSkipped' AND data->>'job' = 'acme-tick' AND data->'hold'->>'source' = 'maintenance'`,
        )) >= 2,
    );
    await waitFor('globex polled on', async () => (await polls('feed::g1')) >= g1Before + 3);

    expect(await polls('feed::a1')).toBe(a1Before);
    expect(await runState(held.body.runId)).toBe('pending');
    const skipped = (await t.db.pool.query(`SELECT data FROM events WHERE type = 'TickSkipped' AND data->>'job' = 'acme-tick' ORDER BY position LIMIT 1`))
      .rows[0].data;
    expect(skipped.hold).toMatchObject({ source: 'maintenance', scope: 'tenant', subject: 'acme', by: 'bootstrap-admin', until: null });
    // A held poll is not a failure: nothing was recorded for acme while the window was open.
    expect(await polls('feed::a1', "'PollFailed'")).toBe(a1FailedBefore);

    expect((await t.request('DELETE', '/api/tenants/acme/maintenance', { body: { reason: 'upgrade done' } })).status).toBe(200);
    await waitFor('the queued acme run ran after the window', async () => (await runState(held.body.runId)) === 'succeeded');
    await waitFor('acme polled ok again', async () => (await polls('feed::a1', "'PollSucceeded'")) > a1OkBefore);
  });
});
