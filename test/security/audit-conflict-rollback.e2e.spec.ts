import type { PoolClient } from 'pg';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { waitFor } from '../support/wait-for';
import { startTestApp, TestApp } from '../support/test-app';
import { verifyTestChain } from '../support/audit-chain';

/**
 * A failure after the audit entry is appended but before the unit commits leaves nothing. No
 * mocks: the test holds a competing append to the target's next revision open in its own
 * transaction, so the action's append waits on it, inside the action's unit, with the entry
 * already written there. While it waits the entry is invisible; when the test commits, the action's
 * append conflicts, its entry rolls back with it, and the action is decided again on the fresh state.
 */
describe('audit: a conflict inside the unit of work', () => {
  let t: TestApp;
  let store: PostgresEventStore;

  beforeAll(async () => {
    // No scheduler: nothing but the test and the actions writes to the targets.
    t = await startTestApp({ POLL_SCHEDULER_ENABLED: 'false' });
    store = new PostgresEventStore(t.db.pool);
  });
  /** Each test its own target: its key. */
  const register = async (name: string) => {
    const reg = await t.request('POST', '/api/targets', {
      body: { type: 'instance', name, probe: { kind: 'http', url: 'http://127.0.0.1:9/x' }, reason: 'setup' },
    });
    expect(reg.status).toBe(201);
    return `instance::${name}`;
  };
  afterAll(async () => {
    await store?.close();
    await t?.close();
  });

  const entriesWith = async (reason: string) =>
    (await t.db.pool.query(`SELECT event_id, data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'reason' = $1`, [reason])).rows;
  const blockedAppends = async () =>
    Number(
      (
        await t.db.pool.query(
          `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ol_append%'`,
        )
      ).rows[0].count,
    );

  /** Holds `event` at the stream's next revision, uncommitted, while `act` runs; returns its answer after COMMIT. */
  async function raceWith(
    key: string,
    event: { type: string; data: unknown },
    act: () => Promise<{ status: number; body: any }>,
    whileBlocked: () => Promise<void>,
  ) {
    const stream = `target-${key}`;
    const head = (await store.readStream(stream)).length - 1;
    const holder: PoolClient = await t.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await store.appendWith(holder, stream, [event], BigInt(head));
      const answer = act();
      await waitFor('the action waits on the held revision', async () => (await blockedAppends()) === 1);
      await whileBlocked();
      await holder.query('COMMIT');
      return await answer;
    } finally {
      holder.release();
    }
  }

  it('pause: the waiting entry is invisible; after the conflict the re-decided pause is a no-op and no entry remains', async () => {
    const reason = 'pause during a concurrent pause';
    const key = await register('conflict-pause');
    const res = await raceWith(
      key,
      { type: 'TargetPaused', data: { key, at: new Date().toISOString() } },
      () => t.request('PATCH', `/api/targets/${key}`, { body: { paused: true, reason } }),
      async () => expect(await entriesWith(reason)).toEqual([]),
    );
    expect(res.status).toBe(200);
    expect(res.body.paused).toBe(true);
    expect(await entriesWith(reason)).toEqual([]);
    const paused = (await t.db.pool.query(`SELECT metadata FROM events WHERE stream_id = $1 AND type = 'TargetPaused'`, [`target-${key}`])).rows;
    expect(paused).toHaveLength(1); // the test's own: the action added none
    expect(paused[0].metadata.causationId).toBeUndefined();
    expect((await verifyTestChain(t.db.pool)).ok).toBe(true);
  });

  it('resume: the rolled-back attempt leaves nothing; the retry records one entry with its one effect', async () => {
    const reason = 'resume during a concurrent poll request';
    const key = await register('conflict-resume');
    expect((await t.request('PATCH', `/api/targets/${key}`, { body: { paused: true, reason: 'setup' } })).status).toBe(200);
    const res = await raceWith(
      key,
      { type: 'PollRequested', data: { key, at: new Date().toISOString() } },
      () => t.request('PATCH', `/api/targets/${key}`, { body: { paused: false, reason } }),
      async () => expect(await entriesWith(reason)).toEqual([]),
    );
    expect(res.status).toBe(200);
    expect(res.body.paused).toBe(false);
    const entries = await entriesWith(reason);
    expect(entries).toHaveLength(1);
    const caused = (await t.db.pool.query(`SELECT type FROM events WHERE metadata->>'causationId' = $1`, [entries[0].event_id])).rows;
    expect(caused.map((c) => c.type)).toEqual(['TargetResumed']);
    expect((await verifyTestChain(t.db.pool)).ok).toBe(true);
  });
});
