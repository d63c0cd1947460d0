import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { freePort } from './free-port';
import { startRedisServer } from './redis-server';

export const TEMPLATE_DB = 'opsledger_template';

/**
 * Starts one embedded PostgreSQL for the whole run and migrates a template database, and one
 * redis-server for the cache tests (its URL in TEST_REDIS_URL; each test file uses its own
 * database numbers).
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.TEST_REDIS_URL) {
    // Without it only the cache tests fail (saying so); every other test runs.
    await startRedisServer(await freePort()).then(
      (redis) => {
        process.env.TEST_REDIS_URL = redis.url;
        (globalThis as any).__OPSLEDGER_REDIS__ = redis;
      },
      (err: Error) => {
        process.env.TEST_REDIS_UNAVAILABLE = err.message;
        process.stderr.write(`global setup: ${err.message}\n`);
      },
    );
  }
  if (process.env.TEST_DATABASE_BASE_URL) return; // an external server was given
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-test-'));
  const port = await freePort();
  const db = await startEmbeddedPostgres({ dataDir, port, database: TEMPLATE_DB, log: pino({ level: 'warn' }) });
  await runMigrations(db.url);
  process.env.TEST_DATABASE_BASE_URL = db.url.replace(/\/[^/]+$/, '');
  (globalThis as any).__OPSLEDGER_PG__ = { db, dataDir };
}
