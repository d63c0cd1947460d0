import { Pool } from 'pg';

/**
 * The connection pool every part of opsledger uses (the service and its commands).
 *
 * node-postgres leaves a checked-out client without an 'error' listener: the pool's own listener
 * covers idle clients only, and the code that checked one out attaches its own a microtask later.
 * A backend's FATAL in that gap (a server shutdown, an admin's pg_terminate_backend, arriving with
 * the answer to the previous owner's query) would be an unhandled 'error' that ends the process.
 * So every client keeps a listener for its whole life; a client that broke is no longer queryable,
 * its next query fails, and the pool drops it when it is released.
 */
export function createPool(url: string, max: number): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined); // an idle client that broke: the pool has dropped it already
  return pool;
}
