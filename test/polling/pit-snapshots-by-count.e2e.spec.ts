import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * `?at=` snapshots by event count (ADR 0016): with the time interval an hour away, a read model
 * used by `?at=` is snapshotted once PIT_SNAPSHOT_EVERY_EVENTS events came after its last snapshot,
 * and not before.
 */
describe('read-model snapshots every PIT_SNAPSHOT_EVERY_EVENTS events (real app, snapshotter loop)', () => {
  let t: TestApp;
  const snapshots = async () =>
    (await t.db.pool.query<{ row_count: number }>(`SELECT row_count FROM projection_snapshots WHERE name = 'targets' ORDER BY id`)).rows.map(
      (r) => r.row_count,
    );
  const register = async (name: string) =>
    expect((await t.request('POST', '/api/targets', { body: { type: 'svc', name, probe: { kind: 'http', url: `http://127.0.0.1:9/${name}` } } })).status).toBe(
      201,
    );
  const eventCount = async () => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;

  beforeAll(async () => {
    t = await startTestApp({
      POLL_SCHEDULER_ENABLED: 'false',
      PIT_SNAPSHOT_INTERVAL_MS: '3600000',
      PIT_SNAPSHOT_EVERY_EVENTS: '20',
      PIT_SNAPSHOT_CHECK_MS: '100',
    });
  });
  afterAll(async () => t?.close());

  it('takes the first snapshot, none while fewer events follow, and the next once 20 have', async () => {
    await register('t0');
    await waitFor('first snapshot', async () => (await snapshots()).length === 1);
    const after = await eventCount();
    await register('t1');
    const few = (await eventCount()) - after;
    expect(few).toBeLessThan(20);
    await new Promise((r) => setTimeout(r, 800)); // several checks of the snapshotter
    expect(await snapshots()).toHaveLength(1);
    for (let i = 2; (await eventCount()) - after < 20; i++) await register(`t${i}`);
    await waitFor('a snapshot by count', async () => (await snapshots()).length === 2);
    // Taken where the projection stood then (it may still be folding the last registrations): further on than the first.
    const { rows } = await t.db.pool.query<{ position: string }>(`SELECT position FROM projection_snapshots WHERE name = 'targets' ORDER BY id`);
    expect(BigInt(rows[1].position)).toBeGreaterThan(BigInt(rows[0].position));
  });
});
