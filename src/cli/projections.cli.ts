import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import pino, { Logger } from 'pino';
import { AppModule } from '../app.module';
import { AuditRecorder } from '../audit/audit-recorder';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { sqlOf } from '../event-store/unit-of-work';
import { ConfigError, loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { ProjectionRunnerService } from '../projection-runner/projection-runner.service';
import { formatStatusTable } from '../projection-runner/status-table';
import { REDACT } from '../shared/logger';
import { sleep } from '../shared/waker';
import { checkKeyFingerprintsAt } from '../secrets/key-fingerprints';
import { resolveServerKeys } from '../secrets/key-files';
import { serverKeys } from '../secrets/server-keys';
import { formatMigrationSummary } from '../system/migration-summary';
import { GetMigrationStatusQuery } from '../system/migration-status.query';
import { cliOperator } from './cli-operator';

/**
 * `npm run projections -- status | rebuild <name>`. Status also shows the migrations (GET /api/system/migrations). Connects through DATABASE_URL or the embedded
 * PostgreSQL, and builds the application context (runner not started) so the registry holds
 * exactly the projections the service registers. A rebuild runs here when no process runs the
 * projection; otherwise it is requested from the process that does, and watched until it swaps.
 */
async function withApp<T>(fn: (app: INestApplicationContext, log: Logger) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig({ ...process.env, PROJECTION_RUNNER_AUTOSTART: 'false' });
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`invalid configuration: ${err.message}`);
    throw err;
  }
  // Logs go to stderr; stdout carries the answer.
  const log = pino(
    { level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'opsledger-projections' }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination(2),
  );
  config = await resolveServerKeys(config, log).catch((err) => {
    throw err instanceof ConfigError ? new Error(`invalid configuration: ${err.message}`) : err;
  });
  const { url, embedded } = await resolveDatabase(config, log);
  try {
    const keys = serverKeys(config);
    await checkKeyFingerprintsAt(url, { tokenHash: keys.tokenHash, auditChain: keys.auditChain }).catch((err) => {
      throw err instanceof ConfigError ? new Error(`invalid configuration: ${err.message}`) : err;
    });
    // appMode server: no poll scheduler or job workers in this short-lived process.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, core: { ...config.core, appMode: 'server' } }, url, log), {
      logger: false,
    });
    try {
      return await fn(app, log);
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

async function rebuild(app: INestApplicationContext, name: string, reason: string): Promise<void> {
  const runner = app.get(ProjectionRunnerService);
  const projection = runner.projection(name);
  if (!projection) {
    const known = (await runner.status()).map((s) => s.name).join(', ') || 'none';
    throw new Error(`no projection named "${name}" (registered: ${known})`);
  }
  const audit = app.get(AuditRecorder);
  const operator = cliOperator();
  const action = { action: 'projection.rebuild', target: `projection:${name}`, reason };

  const started = Date.now();
  let total = Number((await app.get<EventStore>(EVENT_STORE).head())?.position ?? 0n);
  const bar = new SingleBar(
    { format: `rebuild ${name} [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}`, etaBuffer: 50, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { speed: 0 });
  const show = (position: number) => {
    if (position > total) bar.setTotal((total = position));
    const secs = (Date.now() - started) / 1000;
    bar.update(position, { speed: secs > 0 ? Math.round(position / secs) : 0 });
  };

  let folded = 0;
  const here = await runner.rebuildHere(name, reason, (p) => {
    folded = p.events;
    show(Number(p.position));
  });
  // Rebuilt here: audited once it is done (a rebuild that fails changes nothing anyone reads).
  if (here) await audit.act(operator, action, { apply: (unit) => unit.record('applied', { version: projection.version, via: 'cli', events: folded }) });
  if (!here) {
    // Another process runs it: ask that one (the request commits with its audit entry) and follow its progress.
    const requestedAt = await audit.act(operator, action, {
      apply: async (unit) => {
        await unit.record('applied', { version: projection.version, via: 'cli' });
        return runner.requestRebuild(name, reason, sqlOf(unit.uow));
      },
    });
    process.stderr.write(`another process runs ${name}; asked it to rebuild\n`);
    for (;;) {
      await sleep(250);
      const s = (await runner.status()).find((x) => x.name === name)!;
      if (s.rebuiltAt && Date.parse(s.rebuiltAt) >= Math.floor(requestedAt.getTime() / 1000) * 1000 && s.state !== 'rebuilding') {
        show(s.position);
        folded = s.position;
        break;
      }
      if (s.state === 'failed' && s.error) {
        bar.stop();
        throw new Error(`the rebuild of ${name} failed (the runner retries it): ${s.error}`);
      }
      if (!s.running) {
        bar.stop();
        throw new Error(`no process runs ${name} any more; the rebuild request waits for the next one`);
      }
      if (s.rebuild) show(s.rebuild.position);
    }
  }
  bar.stop();
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(
    `rebuilt ${name} v${projection.version}: ${folded} events in ${secs.toFixed(secs < 10 ? 2 : 1)} s (${Math.round(folded / Math.max(secs, 0.001))} events/s)${here ? '' : ' by the running service'}\n`,
  );
}

const program = new Command('projections').description('opsledger read models: status and blue/green rebuilds').showHelpAfterError();

program
  .command('status')
  .description('name, version, checkpoint, lag (events, seconds) and state of every projection; migrations and whether the deploy has settled')
  .option('--json', 'print JSON (GET /api/projections as projections, GET /api/system/migrations as migrationStatus)')
  .action(async (o: { json?: boolean }) => {
    await withApp(async (app) => {
      const statuses = await app.get(ProjectionRunnerService).status();
      const migrations = await app.get(QueryBus).execute(new GetMigrationStatusQuery());
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ projections: statuses, migrationStatus: migrations }, null, 2)}\n`
          : formatStatusTable(statuses) + formatMigrationSummary(migrations),
      );
    });
  });

program
  .command('rebuild')
  .description('rebuild a read model from position 0 into a shadow table, then swap it in (audited)')
  .argument('<name>', 'projection name (see status)')
  .option('--reason <text>', 'why (audit log)', 'rebuilt with the projections CLI')
  .action(async (name: string, o: { reason: string }) => {
    await withApp((app) => rebuild(app, name, o.reason));
  });

program.parseAsync().catch((err) => {
  process.stderr.write(`projections: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
