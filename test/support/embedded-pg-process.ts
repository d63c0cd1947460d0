/**
 * A dedicated embedded PostgreSQL in its own process (jest's VM cannot import the ESM-only
 * package): prints its URL as one JSON line, stops the server on SIGTERM and exits.
 * Usage: node -r ts-node/register/transpile-only test/support/embedded-pg-process.ts <dataDir> <port>
 */
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const db = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'opsledger', log: pino({ level: 'silent' }) });
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    db.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdout.write(JSON.stringify({ url: db.url }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`embedded PostgreSQL failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
