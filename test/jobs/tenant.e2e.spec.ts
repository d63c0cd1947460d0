import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';

const node = process.execPath;

interface TenantScene {
  readonly t: TestApp;
  readonly acmeOp: string;
  readonly acmeAdmin: string;
  readonly runs: Record<string, string>;
}

/** Three jobs (acme, globex, shared), tokens of tenant acme, and one pending run each: no worker claims them. */
async function startScene(): Promise<TenantScene> {
  const runs: Record<string, string> = {};
  const issue = async (t: TestApp, name: string, role: string, tenant: string) => {
    const res = await t.request('POST', '/api/auth/tokens', { body: { name, role, tenant, reason: 'tenant scope test' } });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-tenant-'));
  const config = path.join(dir, 'jobs.json');
  const noop = { kind: 'command', argv: [node, '-e', ''] };
  writeFileSync(
    config,
    JSON.stringify({
      jobs: [
        { name: 'acme-sync', schedule: 'on-demand', tenant: 'acme', cancellable: true, handler: noop },
        { name: 'globex-sync', schedule: 'on-demand', tenant: 'globex', cancellable: true, handler: noop },
        { name: 'shared-report', schedule: 'on-demand', cancellable: true, params: ['tenant'], handler: noop },
      ],
    }),
  );
  // No worker: runs stay pending, so counts and cancel-pending have something to act on.
  const t = await startTestApp({ OPSLEDGER_CONFIG: config, WORKER_CONCURRENCY: '0' });
  const acmeOp = await issue(t, 'acme-ops', 'operator', 'acme');
  const acmeAdmin = await issue(t, 'acme-admin', 'admin', 'acme');
  const run = async (job: string, token: string | undefined, params: Record<string, unknown> = {}) => {
    const res = await t.request('POST', `/api/jobs/${job}/run`, { body: { reason: 'tenant test', params }, token });
    expect(res.status).toBe(202);
    return res.body.runId as string;
  };
  runs.globex = await run('globex-sync', undefined);
  runs.sharedForGlobex = await run('shared-report', undefined, { tenant: 'globex' });
  runs.acme = await run('acme-sync', acmeOp);
  // Live bodies read async read models; ?at= folds the log: compare once the models caught up.
  await waitForProjections(t);
  return { t, acmeOp, acmeAdmin, runs };
}

describe('tenant scope on jobs and system endpoints (e2e)', () => {
  let t: TestApp;
  let acmeOp: string;
  let acmeAdmin: string;
  let runs: Record<string, string>;
  const count = async () => Number((await t.db.pool.query(`SELECT count(*) AS n FROM events`)).rows[0].n);

  beforeAll(async () => ({ t, acmeOp, acmeAdmin, runs } = await startScene()));
  afterAll(async () => t?.close());

  it("lists only its tenant's jobs (live and ?at=); other jobs are 404, not 403", async () => {
    const all = await t.request('GET', '/api/jobs');
    expect(all.body.jobs.map((j: any) => j.name)).toEqual(['acme-sync', 'globex-sync', 'shared-report']);
    const mine = await t.request('GET', '/api/jobs', { token: acmeOp });
    expect(mine.body.jobs.map((j: any) => [j.name, j.pending])).toEqual([['acme-sync', 1]]);
    const at = encodeURIComponent(mine.headers.get('x-opsledger-as-of')!);
    expect((await t.request('GET', `/api/jobs?at=${at}`, { token: acmeOp })).body).toEqual(mine.body);
    expect((await t.request('GET', '/api/jobs/acme-sync', { token: acmeOp })).body.runs.map((r: any) => r.runId)).toEqual([runs.acme]);
    for (const job of ['globex-sync', 'shared-report', 'no-such-job']) {
      const res = await t.request('GET', `/api/jobs/${job}`, { token: acmeOp });
      expect({ job, status: res.status }).toEqual({ job, status: 404 });
    }
  });

  it("runs: other tenants' runs are 404 to read, cancel and retry, and nothing is appended", async () => {
    const before = await count();
    expect((await t.request('POST', '/api/jobs/globex-sync/run', { body: { reason: 'x' }, token: acmeOp })).status).toBe(404);
    expect((await t.request('POST', '/api/jobs/shared-report/run', { body: { reason: 'x', params: { tenant: 'acme' } }, token: acmeOp })).status).toBe(404);
    for (const id of [runs.globex, runs.sharedForGlobex]) {
      expect((await t.request('GET', `/api/runs/${id}`, { token: acmeOp })).status).toBe(404);
      expect((await t.request('POST', `/api/runs/${id}/cancel`, { body: { reason: 'x' }, token: acmeOp })).status).toBe(404);
      expect((await t.request('POST', `/api/runs/${id}/retry`, { body: { reason: 'x' }, token: acmeOp })).status).toBe(404);
    }
    expect(await count()).toBe(before);
    expect((await t.request('GET', '/api/runs', { token: acmeOp })).body.runs.map((r: any) => r.runId)).toEqual([runs.acme]);
    expect((await t.request('GET', '/api/runs')).body.runs).toHaveLength(3);
  });

  it("system endpoints count and list its tenant's runs only; the janitor is 403 (installation-wide)", async () => {
    const q = await t.request('GET', '/api/system/queue', { token: acmeAdmin });
    expect(q.body.pending).toBe(1);
    expect((await t.request('GET', '/api/system/queue')).body.pending).toBe(3);
    const qAt = await t.request('GET', `/api/system/queue?at=${encodeURIComponent(q.headers.get('x-opsledger-as-of')!)}`, { token: acmeAdmin });
    expect(qAt.body).toEqual(q.body);
    expect((await t.request('GET', '/api/system/runs/recent', { token: acmeAdmin })).body.runs.map((r: any) => r.runId)).toEqual([runs.acme]);
    expect((await t.request('GET', '/api/system/workers', { token: acmeAdmin })).status).toBe(200);
    expect((await t.request('GET', '/api/system/metrics', { token: acmeAdmin })).body.jobs).toEqual([]);

    const before = await count();
    const janitor = await t.request('POST', '/api/system/janitor', { body: { reason: 'x' }, token: acmeAdmin });
    expect(janitor.status).toBe(403);
    expect(janitor.body.message).toMatch(/whole installation.*scoped to tenant "acme"/);
    expect(await count()).toBe(before);
  });
});

// Its own scene: cancel-pending changes the runs the tests above count.
describe('tenant scope on jobs and system endpoints (e2e): cancel-pending', () => {
  let t: TestApp;
  let acmeAdmin: string;
  let runs: Record<string, string>;
  beforeAll(async () => ({ t, acmeAdmin, runs } = await startScene()));
  afterAll(async () => t?.close());

  it("cancel-pending touches only its tenant's runs", async () => {
    const res = await t.request('POST', '/api/system/cancel-pending', { body: { confirm: true, reason: 'acme cleanup' }, token: acmeAdmin });
    expect(res.body).toEqual({ cancelled: 1 });
    const state = async (id: string) => (await t.request('GET', `/api/runs/${id}`)).body.run.state;
    expect([await state(runs.acme), await state(runs.globex), await state(runs.sharedForGlobex)]).toEqual(['cancelled', 'pending', 'pending']);
  });
});
