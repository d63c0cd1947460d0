import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventStoreContract } from './event-store.contract';

let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase(60)));
afterAll(async () => db.drop());

eventStoreContract('postgres', async (opts) => {
  const own = opts?.emptyLog ? await createTestDatabase(4) : null;
  const pool = own?.pool ?? db.pool;
  const store = new PostgresEventStore(pool, { pollMs: 200 });
  return {
    store,
    async dispose() {
      await store.close();
      await own?.drop();
    },
    // The shape of every read-model table (migrations add generated columns and indexes to theirs).
    createRows: async (projection) => void (await pool.query(`CREATE TABLE rm_${projection} (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`)),
    rows: async (projection) => new Map((await pool.query<{ key: string; doc: unknown }>(`SELECT key, doc FROM rm_${projection}`)).rows.map((r) => [r.key, r.doc])),
  };
}, { sql: true });

describe('PostgreSQL gap safety', () => {
  it('never lets a reader pass an open transaction, and shows its event first once it commits', async () => {
    const store = new PostgresEventStore(db.pool);
    const head = await store.head();
    const from = head?.checkpoint ?? null;
    const a = await db.pool.connect();
    try {
      await a.query('BEGIN');
      await store.appendWith(a, 'gap-a', [{ type: 'A', data: {} }], 'any'); // A: lower xid, still open
      await store.append('gap-b', [{ type: 'B', data: {} }], 'any'); // B commits
      expect(await store.readAll(from, 100)).toEqual([]); // neither A (uncommitted) nor B (after A)
      await a.query('COMMIT');
    } finally {
      a.release();
    }
    // Visible once no older transaction is open anywhere in the cluster (other test files' databases
    // share the transaction-id horizon), so wait for the fact rather than read once.
    let after = await store.readAll(from, 100);
    for (const until = Date.now() + 20_000; after.length < 2 && Date.now() < until; after = await store.readAll(from, 100)) await new Promise((r) => setTimeout(r, 50));
    expect(after.map((e) => e.type)).toEqual(['A', 'B']);
    await store.close();
  });

  it('orders the log by transaction id as a number across a digit boundary (99 before 100)', async () => {
    // Its own database: rows with made-up old transaction ids would sort before everyone's events.
    const own = await createTestDatabase(2);
    const store = new PostgresEventStore(own.pool);
    try {
      const row = `(stream_id, revision, event_id, type, data, metadata, transaction_id) VALUES ('digits', $1, gen_random_uuid(), $2, '{}', '{}', $3::xid8)`;
      await own.pool.query(`INSERT INTO events ${row}`, [1, 'Second', '100']);
      await own.pool.query(`INSERT INTO events ${row}`, [0, 'First', '99']);
      const all = await store.readAll(null, 10);
      expect(all.map((e) => e.type)).toEqual(['First', 'Second']);
      expect((await store.readAll(all[0].checkpoint, 10)).map((e) => e.type)).toEqual(['Second']);
      expect((await store.head())?.checkpoint).toBe(all[1].checkpoint);
    } finally {
      await store.close();
      await own.drop();
    }
  });

  it('rolls an append back with the transaction that made it', async () => {
    const store = new PostgresEventStore(db.pool);
    const c = await db.pool.connect();
    await c.query('BEGIN');
    await store.appendWith(c, 'rolled-back', [{ type: 'X', data: {} }], 'no_stream');
    await c.query('ROLLBACK');
    c.release();
    expect(await store.readStream('rolled-back')).toEqual([]);
    await store.close();
  });
});
