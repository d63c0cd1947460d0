import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { projectionStatus } from '../../src/projection-runner/projection-status';
import { ProjectionWorker } from '../../src/projection-runner/projection-worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { appendCounted, checkpointRow, counter, createRmTable, docs, expectedRows, makeWorker, pastEveryEvent } from './support';
import { waitFor } from '../support/wait-for';

let db: TestDatabase;
let store: PostgresEventStore;
const workers: ProjectionWorker[] = [];
const track = (w: ProjectionWorker) => (workers.push(w), w);

beforeAll(async () => {
  db = await createTestDatabase(20);
  store = new PostgresEventStore(db.pool, { pollMs: 50 });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

const caughtUp = async (name: string) => {
  const [s] = await projectionStatus(db.pool, store, [counter(name)]);
  return s.state === 'live' && s.lag.events === 0 && (await pastEveryEvent(db.pool, name)) ? s : null;
};

describe('projection runner: catch-up and live', () => {
  it('catches up from the start in batches, skipping foreign events, then applies new events live', async () => {
    const p = counter('catchup');
    await createRmTable(db.pool, 'catchup');
    await appendCounted(store, 'cu', 7, 1234, 10);
    await store.append(
      'noise-1',
      Array.from({ length: 250 }, () => ({ type: 'Unrelated', data: {} })),
      'any',
    );
    const w = track(makeWorker(db, store, p));
    w.start();
    await waitFor('catch-up', () => caughtUp('catchup'));
    expect(await docs(db.pool, 'rm_catchup')).toEqual(await expectedRows(store, p));
    const cp = await checkpointRow(db.pool, 'catchup');
    const head = (await store.head())!;
    expect(cp.checkpoint).toBe(head.checkpoint);
    expect(BigInt(cp.position)).toBe(head.position);
    expect(Number(cp.events_processed)).toBeGreaterThanOrEqual(1484);
    expect(cp.version).toBe(1);

    // Live: new events show up without a restart (NOTIFY wakes the runner).
    const t0 = Date.now();
    await store.append('cu-0', [{ type: 'Counted', data: { n: 100000 } }], 'any');
    await waitFor('live event', async () => ((await docs(db.pool, 'rm_catchup'))['cu-0'] as any)?.last === 100000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await docs(db.pool, 'rm_catchup')).toEqual(await expectedRows(store, p));
  });

  it('advances the checkpoint over batches with no relevant event without touching the table', async () => {
    const p = counter('skipper');
    await createRmTable(db.pool, 'skipper');
    const w = track(makeWorker(db, store, p));
    w.start();
    await waitFor('first catch-up', () => caughtUp('skipper'));
    const before = await checkpointRow(db.pool, 'skipper');
    await store.append(
      'noise-2',
      Array.from({ length: 330 }, () => ({ type: 'Unrelated', data: {} })),
      'any',
    );
    const after = await waitFor('skip-advance', async () => ((await pastEveryEvent(db.pool, 'skipper')) ? checkpointRow(db.pool, 'skipper') : null));
    expect(Number(after.events_processed) - Number(before.events_processed)).toBe(330);
    expect(await docs(db.pool, 'rm_skipper')).toEqual(await expectedRows(store, p));
  });
});

describe('projection runner: failures', () => {
  it('rolls back a batch that fails half-way (rows and checkpoint as before), and a restart applies it exactly once', async () => {
    let poisoned = true;
    const p = counter('halfway', { failWhen: (e) => poisoned && (e.data as { n: number }).n === 5005 });
    await createRmTable(db.pool, 'halfway');
    // One batch (limit 100) holds n = 5000..5009 over 2 streams: the fold fails at its 6th event.
    const w1 = track(makeWorker(db, store, p, { options: { retryMs: 60_000 } }));
    w1.start();
    await waitFor('first catch-up', () => caughtUp('halfway'));
    const rowsBefore = await docs(db.pool, 'rm_halfway');
    const cpBefore = await checkpointRow(db.pool, 'halfway');
    // Both appends in one transaction, so the runner sees all ten events in one batch.
    const c = await db.pool.connect();
    await c.query('BEGIN');
    await store.appendWith(
      c,
      'half-a',
      Array.from({ length: 5 }, (_, i) => ({ type: 'Counted', data: { n: 5000 + i } })),
      'any',
    );
    await store.appendWith(
      c,
      'half-b',
      Array.from({ length: 5 }, (_, i) => ({ type: 'Counted', data: { n: 5005 + i } })),
      'any',
    );
    await c.query('COMMIT');
    c.release();
    await waitFor('failed state', async () => (await checkpointRow(db.pool, 'halfway')).state === 'failed');
    const cpAfter = await checkpointRow(db.pool, 'halfway');
    expect(cpAfter.checkpoint).toBe(cpBefore.checkpoint);
    expect(cpAfter.position).toBe(cpBefore.position);
    expect(cpAfter.events_processed).toBe(cpBefore.events_processed);
    expect(await docs(db.pool, 'rm_halfway')).toEqual(rowsBefore);

    // A database error after the checkpoint UPDATE and mid-write is rolled back the same way.
    await w1.stop();
    await db.pool.query(`CREATE FUNCTION halfway_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key = 'half-b' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$`);
    await db.pool.query(`CREATE TRIGGER halfway_poison BEFORE INSERT OR UPDATE ON rm_halfway FOR EACH ROW EXECUTE FUNCTION halfway_poison()`);
    poisoned = false;
    const w2 = track(makeWorker(db, store, p, { options: { retryMs: 60_000 } }));
    w2.start();
    await waitFor('failed on the trigger', async () => /poisoned row/.test((await checkpointRow(db.pool, 'halfway')).error ?? ''));
    expect((await checkpointRow(db.pool, 'halfway')).checkpoint).toBe(cpBefore.checkpoint);
    expect(await docs(db.pool, 'rm_halfway')).toEqual(rowsBefore);
    await w2.stop();

    // Restart with the fault gone: the batch applies exactly once.
    await db.pool.query(`DROP TRIGGER halfway_poison ON rm_halfway`);
    const w3 = track(makeWorker(db, store, p));
    w3.start();
    await waitFor('recovery', () => caughtUp('halfway'));
    const rows = await docs(db.pool, 'rm_halfway');
    expect(rows).toEqual(await expectedRows(store, p));
    expect(rows['half-a']).toEqual({ count: 5, sum: 5000 + 5001 + 5002 + 5003 + 5004, last: 5004 });
    expect(rows['half-b']).toEqual({ count: 5, sum: 5005 + 5006 + 5007 + 5008 + 5009, last: 5009 });
    const cp = await checkpointRow(db.pool, 'halfway');
    expect(cp.error).toBeNull();
  });

  it('shows failed with the error and its time, waits PROJECTION_RETRY_MS between tries, then recovers', async () => {
    let broken = true;
    const attempts: number[] = [];
    const p = counter('flaky', {
      failWhen: (e) => {
        if ((e.data as { n: number }).n !== 7777) return false;
        attempts.push(Date.now());
        return broken;
      },
    });
    await createRmTable(db.pool, 'flaky');
    const w = track(makeWorker(db, store, p, { options: { retryMs: 400 } }));
    w.start();
    await waitFor('first catch-up', () => caughtUp('flaky'));
    await store.append('flaky-1', [{ type: 'Counted', data: { n: 7777 } }], 'any');
    const failed = await waitFor('failed status', async () => {
      const [s] = await projectionStatus(db.pool, store, [p]);
      return s.state === 'failed' ? s : null;
    });
    expect(failed.error).toMatch(/cannot fold event \d+ \(n=7777\)/);
    expect(Date.parse(failed.errorAt!)).toBeGreaterThan(Date.now() - 10_000);
    expect(failed.lag.events).toBeGreaterThanOrEqual(1);
    expect(failed.running).toBe(true);

    // No tight loop: each try comes at least the 400 ms retry delay after the one before.
    await waitFor('three tries', () => attempts.length >= 3, 5000);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]);
    expect(gaps.filter((ms) => ms < 400)).toEqual([]);
    expect((await checkpointRow(db.pool, 'flaky')).state).toBe('failed');

    broken = false;
    const live = await waitFor('recovery', () => caughtUp('flaky'), 5000);
    expect(live.error).toBeNull();
    expect(live.errorAt).toBeNull();
    expect((await docs(db.pool, 'rm_flaky'))['flaky-1']).toEqual({ count: 1, sum: 7777, last: 7777 });
  });
});

describe('projection runner: one runner per projection', () => {
  it('lets only the lock holder apply; a standby takes over when the holder stops or its connection dies', async () => {
    await createRmTable(db.pool, 'solo');
    const pa = counter('solo', { by: 'A' });
    const pb = counter('solo', { by: 'B' });
    const pc = counter('solo', { by: 'C' });
    const a = track(makeWorker(db, store, pa));
    const b = track(makeWorker(db, store, pb));
    a.start();
    await waitFor('A holds the lock', async () => a.role === 'holder');
    b.start();
    await waitFor('B is standby', async () => b.role === 'standby');
    await appendCounted(store, 'solo', 5, 300, 3);
    await waitFor('A catches up', () => caughtUp('solo'));
    const first = await docs(db.pool, 'rm_solo');
    expect(Object.values(first).every((r: any) => r.by === 'A')).toBe(true);
    expect(await docs(db.pool, 'rm_solo')).toEqual(await expectedRows(store, pa));
    expect(b.role).toBe('standby');

    // The holder stops: B takes over from A's checkpoint, nothing applied twice.
    await a.stop();
    expect((await checkpointRow(db.pool, 'solo')).state).toBe('stopped');
    await waitFor('B takes over', async () => b.role === 'holder');
    await appendCounted(store, 'solo', 5, 50, 1, 1000);
    await waitFor('B applies', () => caughtUp('solo'));
    const rows = await docs(db.pool, 'rm_solo');
    const soloRows = Object.entries(rows).filter(([k]) => k.startsWith('solo-'));
    expect(soloRows).toHaveLength(5);
    expect(soloRows.every(([, r]: [string, any]) => r.by === 'B')).toBe(true);
    const countsOnly = (m: Record<string, any>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { count: v.count, sum: v.sum }]));
    expect(countsOnly(rows)).toEqual(countsOnly(await expectedRows(store, pb)));

    // The holder's lock connection is killed (the process "dies"): C takes over.
    const c = track(makeWorker(db, store, pc));
    c.start();
    await waitFor('C is standby', async () => c.role === 'standby');
    const holderPid = async () =>
      (
        await db.pool.query(
          `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'opsledger-projection:solo'`,
        )
      ).rows[0]?.pid ?? null;
    const killed = await holderPid();
    expect(killed).not.toBeNull();
    await db.pool.query('SELECT pg_terminate_backend($1)', [killed]);
    // B stops writing at once; whichever of B (reconnecting) and C gets the lock first runs it.
    await waitFor('a new holder', async () => {
      const pid = await holderPid();
      return pid !== null && pid !== killed && [b, c].filter((w) => w.role === 'holder').length === 1;
    });
    await appendCounted(store, 'solo', 5, 20, 1, 2000);
    await waitFor('the new holder applies', () => caughtUp('solo'));
    expect(countsOnly(await docs(db.pool, 'rm_solo'))).toEqual(countsOnly(await expectedRows(store, pc)));
    expect([b, c].filter((w) => w.role === 'holder')).toHaveLength(1);
  });

  it('reports stopped when no process holds the lock', async () => {
    const p = counter('nobody');
    await createRmTable(db.pool, 'nobody');
    // On an empty log the checkpoint never moves and "caught up" never shows (run alone): give it one event.
    await store.append('nobody-0', [{ type: 'Counted', data: { n: 1 } }], 'any');
    const w = track(makeWorker(db, store, p));
    w.start();
    await waitFor('live', () => caughtUp('nobody'));
    await w.stop();
    const [s] = await projectionStatus(db.pool, store, [p]);
    expect(s).toMatchObject({ name: 'nobody', state: 'stopped', running: false });
  });
});

describe('projection status: lag in commit order', () => {
  it('counts the events behind a checkpoint whose position is above the head position (commit order, not position order)', async () => {
    // A takes its transaction id first; B then commits 5 events (later transaction id, lower
    // positions); A inserts last (highest position) and commits. In commit order A comes first.
    const a = await db.pool.connect();
    try {
      await a.query('BEGIN');
      await a.query('SELECT pg_current_xact_id()');
      const b = await store.append(
        'lag-b',
        Array.from({ length: 5 }, (_, n) => ({ type: 'Counted', data: { n } })),
        'no_stream',
      );
      const ea = await store.appendWith(a, 'lag-a', [{ type: 'Counted', data: { n: 0 } }], 'no_stream');
      await a.query('COMMIT');
      const [aEvent] = ea.events;
      expect(aEvent.position > b.events[4].position).toBe(true);
      await db.pool.query(`INSERT INTO projection_checkpoints (name, version, checkpoint, position, state) VALUES ('lag_order', 1, $1, $2, 'live')`, [
        aEvent.checkpoint,
        aEvent.position.toString(),
      ]);
      await waitFor('B readable', async () => (await store.readAll(aEvent.checkpoint, 10)).length === 5);
      const head = (await store.head())!;
      expect(head.position < aEvent.position).toBe(true);
      const [s] = await projectionStatus(db.pool, store, [counter('lag_order')]);
      expect(s.lag.events).toBe(5);
      expect(s.lag.seconds).toBeGreaterThanOrEqual(0);
    } finally {
      a.release();
    }
  });
});
