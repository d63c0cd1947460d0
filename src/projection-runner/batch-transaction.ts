import type { Pool, PoolClient } from 'pg';

/** Another process moved the checkpoint: we are not (or no longer) the only runner. */
export class FenceLost extends Error {
  constructor(what: string) {
    super(`${what} moved under this runner; giving the lock up`);
  }
}

/**
 * One batch of a projection's rows with its checkpoint. Batches commit with synchronous_commit
 * off: rows and checkpoint are one transaction, so a crash can only lose whole recent batches,
 * which the runner then applies again — the read model is derived data, and any later
 * synchronous commit flushes these too.
 */
export async function inBatchTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken = false;
  // A checked-out client has no pool listener: a backend killed between two statements would
  // otherwise raise an unhandled 'error' and take the process down.
  const onError = () => (broken = true);
  c.on('error', onError);
  try {
    await c.query('BEGIN; SET LOCAL synchronous_commit = off');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}
