import { createPool } from '../../src/database/create-pool';
import { createTestDatabase, TestDatabase } from '../support/test-database';

let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase(2)));
afterAll(async () => db.drop());

describe('createPool', () => {
  it('survives a FATAL on a checked-out client that has no listener of its own, drops that client at release, and goes on', async () => {
    const pool = createPool(db.url, 2);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // As a server shutdown or an admin would: the backend ends while the client is checked out and idle.
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // Without the pool's listener, node-postgres throws the 'error' event here ("Unhandled error").
      await new Promise((r) => setTimeout(r, 300));
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release();
      expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      expect(pool.totalCount).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
