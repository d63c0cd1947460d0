import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import pino from 'pino';
import { AppModule } from '../app.module';
import { randomUUID } from 'node:crypto';
import { systemOperator } from '../audit/operator-context';
import { RestoreDrills } from '../backup/record-restore-drill';
import { restoreEventLog } from '../backup/restore';
import { loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { postgresEventStore } from '../event-store/postgres/postgres-event-store';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { ProjectionRunnerService } from '../projection-runner/projection-runner.service';
import { checkKeyFingerprintsAt } from '../secrets/key-fingerprints';
import { resolveServerKeys } from '../secrets/key-files';
import { serverKeys } from '../secrets/server-keys';
import { createPool } from '../database/create-pool';

/**
 * `npm run restore -- <file>`: into an empty database (DATABASE_URL, or a fresh embedded data
 * dir), then every read model is rebuilt from the restored log. Run it with the service stopped.
 */
new Command('restore')
  .description('load a backup into an empty database and rebuild every read model from it')
  .argument('<file>', 'a file written by npm run backup')
  .option('--drill-owner <name>', 'record this restore as a restore drill run by <name> (run one a quarter)')
  .action(async (file: string, opts: { drillOwner?: string }) => {
    const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
    // The installation's keys: the restored tokens and audit chain only work with the ones they were made with.
    const config = await resolveServerKeys(loadConfig({ ...process.env, PROJECTION_RUNNER_AUTOSTART: 'false' }), log);
    const { url, embedded } = await resolveDatabase(config, log);
    const pool = createPool(url, 3);
    const store = postgresEventStore(pool);
    const started = Date.now();
    try {
      const keys = serverKeys(config);
      await checkKeyFingerprintsAt(url, { tokenHash: keys.tokenHash, auditChain: keys.auditChain });
      const { events } = await restoreEventLog(store, file, (n) => process.stderr.write(`\rrestored ${n} events`));
      process.stderr.write('\n');
      const loaded = (Date.now() - started) / 1000;
      process.stdout.write(`restored ${events} events in ${loaded.toFixed(1)} s\n`);
      const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, core: { ...config.core, appMode: 'server' } }, url, log), {
        logger: false,
      });
      try {
        // Every read model in one read of the restored log.
        const t0 = Date.now();
        const rebuilt = await app.get(ProjectionRunnerService).rebuildAllHere(`restore from ${file}`);
        const versions = new Map(
          app
            .get(ProjectionRegistry)
            .all()
            .map((p) => [p.name, p.version]),
        );
        process.stdout.write(`rebuilt ${rebuilt.map((n) => `${n} v${versions.get(n)}`).join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        const total = (Date.now() - started) / 1000;
        process.stdout.write(`restore and rebuild done in ${total.toFixed(1)} s (${Math.round(events / Math.max(total, 0.001))} events/s)\n`);
        if (opts.drillOwner) {
          const ctx = { ...systemOperator(randomUUID()), actor: `cli:${opts.drillOwner}` };
          await app.get(RestoreDrills).record(ctx, {
            owner: opts.drillOwner,
            result: 'passed',
            notes: `npm run restore -- ${file}`,
            eventsRestored: events,
            durationSeconds: Math.round(total),
          });
          process.stdout.write(`recorded a passed restore drill owned by ${opts.drillOwner}\n`);
        }
      } finally {
        await app.close();
      }
    } finally {
      await store.close();
      await pool.end();
      await embedded?.stop();
    }
  })
  .parseAsync()
  .catch((err) => {
    process.stderr.write(`restore: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
