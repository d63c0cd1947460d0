import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import type { AppendResult } from '../../src/event-store/envelope';
import { ExpectedVersionConflict } from '../../src/event-store/expected-version-conflict.error';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { waitFor } from '../support/wait-for';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { eventStoreContract } from './event-store.contract';

let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase(60)));
afterAll(async () => db.drop());

eventStoreContract(
  'postgres',
  async (opts) => {
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
      createRows: async (projection) =>
        void (await pool.query(`CREATE TABLE rm_${projection} (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`)),
      rows: async (projection) =>
        new Map((await pool.query<{ key: string; doc: unknown }>(`SELECT key, doc FROM rm_${projection}`)).rows.map((r) => [r.key, r.doc])),
    };
  },
  { sql: true },
);

describe('PostgreSQL gap safety', () => {
  it('never lets a reader pass an open transaction, and shows its event first once it commits', async () => {
    const store = new PostgresEventStore(db.pool);
    const head = await store.head();
    const from = head?.checkpoint ?? null;
    // Only this test's streams: an append of an earlier test in this database may commit after `head`.
    const ours = async () => (await store.readAll(from, 100)).filter((e) => e.streamId.startsWith('gap-'));
    const a = await db.pool.connect();
    try {
      await a.query('BEGIN');
      await store.appendWith(a, 'gap-a', [{ type: 'A', data: {} }], 'any'); // A: lower xid, still open
      await store.append('gap-b', [{ type: 'B', data: {} }], 'any'); // B commits
      expect(await ours()).toEqual([]); // neither A (uncommitted) nor B (after A)
      await a.query('COMMIT');
    } finally {
      a.release();
    }
    const after = await ours();
    expect(after.map((e) => e.type)).toEqual(['A', 'B']);
    await store.close();
  });

  it('is not held back by a transaction open in another database of the same server, and is by one in its own', async () => {
    const store = new PostgresEventStore(db.pool);
    const other = await createTestDatabase(1);
    const elsewhere = await other.pool.connect();
    const here = await db.pool.connect();
    try {
      const from = (await store.head())?.checkpoint ?? null;
      // An older transaction with a transaction id, open in another database: a report, a migration, another application.
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      await store.append('horizon-a', [{ type: 'A', data: {} }], 'any');
      const read = async () => (await store.readAll(from, 100)).filter((e) => e.streamId.startsWith('horizon-')).map((e) => e.type);
      expect(await read()).toEqual(['A']);
      expect((await store.head())?.position).toBe((await store.readStream('horizon-a'))[0].position);
      expect(await store.countAfter(from, 100)).toBeGreaterThanOrEqual(1);
      // One open in this database may still append before the later commit: it holds the reader.
      await here.query('BEGIN');
      await here.query('SELECT pg_current_xact_id()');
      await store.append('horizon-b', [{ type: 'B', data: {} }], 'any');
      expect(await read()).toEqual(['A']);
      await here.query('COMMIT');
      expect(await read()).toEqual(['A', 'B']);
    } finally {
      await elsewhere.query('ROLLBACK').catch(() => undefined);
      elsewhere.release();
      here.release();
      await other.drop();
      await store.close();
    }
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

describe('PostgreSQL grouped appends', () => {
  const txOf = (r: { events: readonly { checkpoint: string }[] }) => r.events[0].checkpoint.split(':')[0];
  const rawInsert = (c: PoolClient, stream: string, revision: number) =>
    c.query(`INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES ($1, $2, gen_random_uuid(), 'Raw', '{}', '{}')`, [
      stream,
      revision,
    ]);
  const waitingOnLock = async () =>
    Number(
      (
        await db.pool.query(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ol_append%'`,
        )
      ).rows[0].n,
    );

  it('sends the appends that wait for a connection together, in one transaction, and fails only the member with bad input', async () => {
    const store = new PostgresEventStore(db.pool, { appendConnections: 1 });
    try {
      const burst = (n: number, bad?: number) => {
        const streams = Array.from({ length: n }, (_, i) => `group-${randomUUID()}-${i}`);
        return Promise.allSettled(
          streams.map((s, i) => store.append(s, [{ type: 'G', data: { i, text: i === bad ? 'nul \u0000 here' : 'ok' } }], 'no_stream')),
        ).then((r) => ({ streams, settled: r }));
      };
      const good = await burst(20);
      const ok = good.settled.map((r) => (r as PromiseFulfilledResult<AppendResult>).value);
      expect(ok.every(Boolean)).toBe(true);
      // The first goes out alone; the rest waited for the one connection and went out together.
      expect(new Set(ok.slice(1).map(txOf)).size).toBe(1);
      expect(txOf(ok[0])).not.toBe(txOf(ok[1]));

      // PostgreSQL refuses a NUL in jsonb: the whole statement fails, so each member goes alone.
      const mixed = await burst(20, 7);
      expect(mixed.settled.map((r) => r.status)).toEqual(mixed.streams.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
      for (const [i, s] of mixed.streams.entries()) expect(await store.readStream(s)).toHaveLength(i === 7 ? 0 : 1);
    } finally {
      await store.close();
    }
  });

  it('stores a big append (16+ events) alone in one plain statement, answering a conflict and a replay of it as any append', async () => {
    const store = new PostgresEventStore(db.pool);
    try {
      const s = `big-${randomUUID()}`;
      const events = Array.from({ length: 20 }, (_, n) => ({ eventId: randomUUID(), type: 'G', data: { n } }));
      const first = await store.append(s, events, 'no_stream');
      expect(first.events.map((e) => Number(e.revision))).toEqual(Array.from({ length: 20 }, (_, n) => n));
      expect((await store.append(s, events, 'no_stream')).positions).toEqual(first.positions);
      const conflict = await store
        .append(
          s,
          events.map((e) => ({ ...e, eventId: randomUUID() })),
          5n,
        )
        .catch((err) => err);
      expect(conflict).toBeInstanceOf(ExpectedVersionConflict);
      expect((conflict as ExpectedVersionConflict).actual).toBe(19n);
      expect(await store.readStream(s)).toHaveLength(20);
    } finally {
      await store.close();
    }
  });

  it('the careful path (ol_append_group) deletes the rows a member got in when another of its rows collided, and answers each member', async () => {
    const [x, y] = [`careful-x-${randomUUID()}`, `careful-y-${randomUUID()}`];
    const raw = await db.pool.connect();
    try {
      await raw.query('BEGIN');
      await rawInsert(raw, x, 1);
      const call = db.pool.query(
        `SELECT o_member, o_status, o_revision::int AS rev, o_actual::int AS actual FROM ol_append_group($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::uuid[], $7::text[], $8::int[], $9::jsonb[], $10::jsonb[])`,
        [
          [x, y],
          ['no_stream', 'no_stream'],
          [null, null],
          [1, 3],
          [2, 1],
          [randomUUID(), randomUUID(), randomUUID()],
          ['G', 'G', 'G'],
          [1, 1, 1],
          ['{}', '{}', '{}'],
          ['{}', '{}', '{}'],
        ],
      );
      // x's revision 0 went in; its revision 1 waits for the raw writer: commit it then.
      await waitFor('the careful path waits', async () => (await waitingOnLock()) === 1);
      await raw.query('COMMIT');
      const { rows } = await call;
      // Member 1's revision 0 was answered as it went in, then taken back (the caller disregards it).
      expect(rows).toEqual([
        { o_member: 1, o_status: 'stored', rev: 0, actual: null },
        { o_member: 1, o_status: 'taken_back', rev: null, actual: null },
        { o_member: 1, o_status: 'conflict', rev: null, actual: 1 },
        { o_member: 2, o_status: 'stored', rev: 0, actual: null },
      ]);
      expect((await db.pool.query('SELECT revision::int AS r, type FROM events WHERE stream_id = $1', [x])).rows).toEqual([{ r: 1, type: 'Raw' }]);
    } finally {
      await raw.query('ROLLBACK').catch(() => undefined);
      raw.release();
    }
  });

  it('takes back a member whose revision a concurrent writer took, and stores the rest of its group', async () => {
    const store = new PostgresEventStore(db.pool, { appendConnections: 1 });
    const [blocker, strict, loose, fresh] = ['blocker', 'strict', 'loose', 'fresh'].map((n) => `race-${n}-${randomUUID()}`);
    const raw1 = await db.pool.connect();
    const raw2 = await db.pool.connect();
    try {
      await raw1.query('BEGIN');
      await rawInsert(raw1, blocker, 0);
      await raw2.query('BEGIN');
      await rawInsert(raw2, strict, 1);
      await rawInsert(raw2, loose, 1);
      // The blocker holds the one connection (waiting for raw1); the next three queue up as one group.
      const first = store.append(blocker, [{ type: 'G', data: {} }], 'any');
      await waitFor('the blocker waits', async () => (await waitingOnLock()) === 1);
      const group = Promise.allSettled([
        store.append(
          strict,
          [
            { type: 'G', data: { n: 0 } },
            { type: 'G', data: { n: 1 } },
          ],
          'no_stream',
        ),
        store.append(
          loose,
          [
            { type: 'G', data: { n: 2 } },
            { type: 'G', data: { n: 3 } },
          ],
          'any',
        ),
        store.append(fresh, [{ type: 'G', data: { n: 4 } }], 'no_stream'),
      ]);
      await raw1.query('COMMIT');
      expect((await first).nextRevision).toBe(1n);
      // The group read the heads before raw2 commits and waits on its rows: commit it then.
      await waitFor('the group waits', async () => (await waitingOnLock()) === 1);
      await raw2.query('COMMIT');
      const [s, l, f] = await group;
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(ExpectedVersionConflict);
      expect((s as PromiseRejectedResult).reason.actual).toBe(1n);
      expect((await store.readStream(strict)).map((e) => e.type)).toEqual(['Raw']);
      expect(l.status).toBe('fulfilled');
      expect(f.status).toBe('fulfilled');
      const [lr, fr] = [(l as PromiseFulfilledResult<AppendResult>).value, (f as PromiseFulfilledResult<AppendResult>).value];
      expect(lr.events.map((e) => e.revision)).toEqual([2n, 3n]);
      expect(txOf(lr)).toBe(txOf(fr));
      expect((await store.readStream(loose)).map((e) => Number(e.revision))).toEqual([1, 2, 3]);
    } finally {
      await raw1.query('ROLLBACK').catch(() => undefined);
      await raw2.query('ROLLBACK').catch(() => undefined);
      raw1.release();
      raw2.release();
      await store.close();
    }
  });
});

describe('PostgreSQL appendMany with held rows', () => {
  it('folds a foldBeforeInsert projection before the insert: rows and events in one autocommit statement (a unit: one statement too)', async () => {
    // A pool of its own: its statements are this test's only.
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const store = new PostgresEventStore(pool);
    const name = `early_${randomUUID().slice(0, 8)}`;
    await pool.query(`CREATE TABLE rm_${name} (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
    const positions: bigint[] = [];
    store.registerInline<{ n: number }>({
      name,
      inline: true,
      foldBeforeInsert: true,
      canHandle: ['Counted'],
      keysOf: (e) => [e.streamId],
      evolve: (row, e) => {
        positions.push(e.position);
        return { n: (row?.n ?? 0) + 1 };
      },
    });
    const s = `early-${randomUUID()}`;
    const query = jest.spyOn(pool, 'query');
    try {
      await store.appendMany([{ streamId: s, events: [{ type: 'Counted', data: {} }], expected: 'no_stream' }], {
        knownRows: { [name]: new Map([[s, null]]) },
      });
      expect(query).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
    }
    // Folded before the insert: the store's position was not known yet.
    expect(positions).toEqual([-1n]);
    await store.transact((uow) =>
      uow.appendMany([{ streamId: s, events: [{ type: 'Counted', data: {} }], expected: 0n }], { knownRows: { [name]: new Map([[s, { n: 1 }]]) } }),
    );
    expect(positions).toEqual([-1n, -1n]);
    const { rows } = await pool.query(`SELECT key, doc, stream_id, revision FROM rm_${name}`);
    expect(rows).toEqual([{ key: s, doc: { n: 2 }, stream_id: s, revision: '1' }]);
    await store.close();
    await pool.end();
  });
});
