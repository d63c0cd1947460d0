import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { waitFor } from '../support/wait-for';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';

/**
 * A tenant's timeline holds its targets' events, also those no token of the tenant caused (an
 * unscoped admin registered the target; the scheduler polled it), and names the same targets as
 * that tenant's `?at=` health and what-if replay of the window.
 */
describe('tenant timeline: the tenant’s target events, in agreement with ?at= and what-if', () => {
  let t: TestApp;
  let s: FlakyServer;
  const from = new Date(Date.now() - 60_000).toISOString();
  const admins: Record<string, string> = {};

  beforeAll(async () => {
    s = await startFlakyServer();
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'opsledger-tenant-timeline-')), 'jobs.json');
    writeFileSync(
      config,
      JSON.stringify({
        jobs: ['acme', 'globex'].map((x) => ({
          name: `${x}-sync`,
          schedule: 'on-demand',
          tenant: x,
          handler: { kind: 'command', argv: [process.execPath, '-e', ''] },
        })),
      }),
    );
    t = await startTestApp({ ...FAST_POLLING_ENV, OPSLEDGER_CONFIG: config });
    for (const [tenant, path] of [
      ['acme', '/ok'],
      ['globex', '/500'],
    ] as const) {
      const token = await t.request('POST', '/api/auth/tokens', { body: { name: `${tenant}-admin`, role: 'admin', tenant, reason: 'timeline test' } });
      expect(token.status).toBe(201);
      admins[tenant] = token.body.token;
      // Registered by the unscoped admin: no event of this target is caused by a tenant's token.
      const res = await t.request('POST', '/api/targets', {
        body: {
          type: 'svc',
          name: `${tenant}-web`,
          tenant,
          probe: { kind: 'http', url: `${s.base}${path}` },
          intervalSeconds: 0.3,
          adaptive: false,
          reason: 'timeline test',
        },
      });
      expect(res.status).toBe(201);
    }
    await waitFor('both targets polled twice', async () => {
      const { rows } = await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE type IN ('PollSucceeded', 'PollFailed') GROUP BY stream_id HAVING count(*) >= 2`,
      );
      return rows.length === 2;
    });
    await waitForProjections(t);
  });
  afterAll(async () => {
    await t?.close();
    await s?.close();
  });

  const timeline = async (token: string | undefined, to: string, extra = '') => {
    const res = await t.request('GET', `/api/timeline?from=${from}&to=${to}&limit=5000${extra}`, { token });
    expect(res.status).toBe(200);
    return res.body.items as { streamId: string; type: string; tenant: string | null; data: unknown }[];
  };
  const targetKeys = (items: { streamId: string }[]) =>
    [...new Set(items.filter((e) => e.streamId.startsWith('target-')).map((e) => e.streamId.slice('target-'.length)))].sort();

  it('includes the tenant’s target and job-definition events (none caused by its token), tagged with its tenant, and nothing of another tenant', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    for (const [tenant, other, outcome] of [
      ['acme', 'globex', 'PollSucceeded'],
      ['globex', 'acme', 'PollFailed'],
    ] as const) {
      const items = await timeline(admins[tenant], to);
      const own = items.filter((e) => e.streamId === `target-svc::${tenant}-web`);
      expect(own.map((e) => e.type)).toEqual(expect.arrayContaining(['TargetRegistered', outcome]));
      expect(own.every((e) => e.tenant === tenant)).toBe(true);
      expect(targetKeys(items)).toEqual([`svc::${tenant}-web`]);
      expect(items.filter((e) => e.streamId.startsWith('jobdef-')).map((e) => [e.streamId, e.type, e.tenant])).toEqual([
        [`jobdef-${tenant}-sync`, 'JobDefined', tenant],
      ]);
      expect(JSON.stringify(items)).not.toContain(other);
      // An unscoped reader filtering by tenant gets the same target events.
      expect(targetKeys(await timeline(undefined, to, `&tenant=${tenant}`))).toEqual([`svc::${tenant}-web`]);
    }
  });

  it('names the same targets as the tenant’s ?at= scheduler health and its what-if replay of the window', async () => {
    for (const tenant of ['acme', 'globex']) {
      const live = await t.request('GET', '/api/monitoring/scheduler/health', { token: admins[tenant] });
      const at = live.headers.get('x-opsledger-as-of')!;
      const health = await t.request('GET', `/api/monitoring/scheduler/health?at=${encodeURIComponent(at)}`, { token: admins[tenant] });
      expect(health.status).toBe(200);
      const whatIf = await t.request('POST', '/api/replay/what-if', { token: admins[tenant], body: { from, to: at, policy: {} } });
      expect(whatIf.status).toBe(200);
      const fromTimeline = targetKeys(await timeline(admins[tenant], new Date(Date.parse(at) + 1).toISOString()));
      expect(fromTimeline).toEqual([`svc::${tenant}-web`]);
      expect(health.body.instances.map((i: { key: string }) => i.key).sort()).toEqual(fromTimeline);
      expect(whatIf.body.targets.map((x: { key: string }) => x.key).sort()).toEqual(fromTimeline);
    }
  });
});
