import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { freePort } from './free-port';

export const TEMPLATE_DB = 'opsledger_template';

/** Starts one embedded PostgreSQL for the whole run and migrates a template database. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_BASE_URL) return; // an external server was given
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-test-'));
  const port = await freePort();
  const db = await startEmbeddedPostgres({ dataDir, port, database: TEMPLATE_DB, log: pino({ level: 'warn' }) });
  await runMigrations(db.url);
  process.env.TEST_DATABASE_BASE_URL = db.url.replace(/\/[^/]+$/, '');
  (globalThis as any).__OPSLEDGER_PG__ = { db, dataDir };
}
