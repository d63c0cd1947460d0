import { PollSchedulerService } from '../../src/polling/scheduler/poll-scheduler.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';

describe('poll partitions across processes (leases, docs/adr/0017): a joiner takes its share, a leaver hands all back', () => {
  let db: TestDatabase;
  let s: FlakyServer;
  let a: TestApp;
  let b: TestApp;
  const polls = async () => Number((await db.pool.query(`SELECT count(*) AS n FROM events WHERE type = 'PollSucceeded'`)).rows[0].n);
  const scheduler = (t: TestApp) => t.app.get(PollSchedulerService).scheduler;
  const owners = async () =>
    (await db.pool.query<{ owner: string; n: number }>(`SELECT owner, count(*)::int AS n FROM poll_partitions WHERE lease_until > now() GROUP BY owner`)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    s = await startFlakyServer();
    const env = { ...FAST_POLLING_ENV, OPSLEDGER_ADMIN_TOKEN: `olt_failover_${Date.now()}_shared_admin_token` };
    a = await startTestApp(env, db);
    await waitFor('a holds every partition', async () => scheduler(a).partitions === 64);
    b = await startTestApp(env, db);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close().catch(() => undefined);
    await s.close();
    await db.drop();
  });

  it('alone, one process holds all 64 partitions; a second takes half; when the first stops, the second holds all and polling continues', async () => {
    for (let i = 0; i < 8; i++)
      expect(
        (
          await a.request('POST', '/api/targets', {
            body: { type: 'svc', name: `s${i}`, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 0.1, adaptive: false },
          })
        ).status,
      ).toBe(201);
    await waitFor('b takes its share', async () => scheduler(a).partitions === 32 && scheduler(b).partitions === 32, 15_000);
    expect((await owners()).map((o) => o.n)).toEqual([32, 32]);
    const before = await polls();
    await waitFor('both poll', async () => scheduler(a).stats.polls > 3 && scheduler(b).stats.polls > 3 && (await polls()) >= before + 16, 15_000);
    // Each target is polled by one scheduler, at its interval: no append raced another scheduler's.
    expect(scheduler(a).stats.conflicts + scheduler(b).stats.conflicts).toBe(0);

    await a.close();
    await waitFor('b holds every partition', async () => scheduler(b).partitions === 64, 10_000);
    expect((await owners()).map((o) => o.owner)).toEqual([scheduler(b).owner]);
    const after = await polls();
    await waitFor('polling continues under b', async () => (await polls()) >= after + 16, 10_000);
  });
});
