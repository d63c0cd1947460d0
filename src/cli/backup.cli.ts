import 'reflect-metadata';
import { Command } from 'commander';
import pino from 'pino';
import { backupEventLog } from '../backup/backup';
import { loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { postgresEventStore } from '../event-store/postgres/postgres-event-store';
import { createPool } from '../database/create-pool';

/** `npm run backup -- <file>`: the whole event log, gzipped NDJSON; safe while the service runs. */
new Command('backup')
  .description('write the event log (all a restore needs) to a gzipped NDJSON file')
  .argument('<file>', 'where to write, e.g. opsledger-2026-11-25.ndjson.gz')
  .action(async (file: string) => {
    const config = loadConfig();
    const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const { url, embedded } = await resolveDatabase(config, log);
    const pool = createPool(url, 2);
    const store = postgresEventStore(pool);
    try {
      const started = Date.now();
      const { events, bytes } = await backupEventLog(store, file, (n) => process.stderr.write(`\r${n} events`));
      const s = (Date.now() - started) / 1000;
      process.stderr.write('\n');
      process.stdout.write(
        `backed up ${events} events to ${file} (${(bytes / 1048576).toFixed(1)} MiB) in ${s.toFixed(1)} s (${Math.round(events / Math.max(s, 0.001))} events/s)\n`,
      );
    } finally {
      await store.close();
      await pool.end();
      await embedded?.stop();
    }
  })
  .parseAsync()
  .catch((err) => {
    process.stderr.write(`backup: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
