import { PollSchedulerService } from '../../src/polling/scheduler/poll-scheduler.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from './support';
import { waitFor } from '../support/wait-for';

describe('one active poll scheduler across processes (advisory lock), standby takes over', () => {
  let db: TestDatabase;
  let s: FlakyServer;
  let a: TestApp;
  let b: TestApp;
  const polls = async () => Number((await db.pool.query(`SELECT count(*) AS n FROM events WHERE type = 'PollSucceeded'`)).rows[0].n);
  const roles = async () =>
    (
      await db.pool.query<{ instance_id: string; role: string }>(
        `SELECT instance_id, detail->>'role' AS role FROM loop_states WHERE loop = 'poll-scheduler' AND state <> 'stopped' ORDER BY role`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    s = await startFlakyServer();
    const env = { ...FAST_POLLING_ENV, OPSLEDGER_ADMIN_TOKEN: `olt_failover_${Date.now()}_shared_admin_token` };
    a = await startTestApp(env, db);
    await waitFor('a active', async () => a.app.get(PollSchedulerService).scheduler.isActive);
    b = await startTestApp(env, db);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close().catch(() => undefined);
    await s.close();
    await db.drop();
  });

  it('only one process polls; when it stops, the standby becomes active and polling continues', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (
          await a.request('POST', '/api/targets', {
            body: { type: 'svc', name: `s${i}`, probe: { kind: 'http', url: `${s.base}/ok` }, intervalSeconds: 0.1, adaptive: false },
          })
        ).status,
      ).toBe(201);
    // (Both apps share this process's INSTANCE_ID, so loop_states holds one row for them: ask the schedulers.)
    await waitFor('a loop report', async () => (await roles()).length > 0);
    expect(a.app.get(PollSchedulerService).scheduler.isActive).toBe(true);
    expect(b.app.get(PollSchedulerService).scheduler.isActive).toBe(false);
    await waitFor('polling', async () => (await polls()) >= 6);
    // Each target is polled about every 100 ms by one scheduler, not twice as often by two.
    const conflicts = a.app.get(PollSchedulerService).scheduler.stats.conflicts + b.app.get(PollSchedulerService).scheduler.stats.conflicts;
    expect(conflicts).toBe(0);

    await a.close();
    await waitFor('b takes over', async () => b.app.get(PollSchedulerService).scheduler.isActive, 10_000);
    const after = await polls();
    await waitFor('polling continues under b', async () => (await polls()) >= after + 6, 10_000);
    expect(b.app.get(PollSchedulerService).scheduler.stats.polls).toBeGreaterThan(0);
  });
});
