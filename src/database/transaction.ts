import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` in one transaction on a pooled client: COMMIT when it resolves, ROLLBACK when it
 * throws (the error is rethrown), the client released either way.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
