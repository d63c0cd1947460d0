import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { resolveDatabase } from './database/resolve-database';
import { createApp } from './bootstrap';
import { createLogger } from './shared/logger';
import { resolveServerKeys } from './secrets/key-files';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`opsledger: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.core.logLevel);
  try {
    config = await resolveServerKeys(config, log);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`opsledger: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { url, embedded } = await resolveDatabase(config, log);
  let app;
  try {
    app = await createApp(config, url, log);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'process.stopping', signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error({ event: 'process.shutdown_timeout' }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.core.shutdownTimeoutMs);
    force.unref();
    try {
      await app.close(); // drains HTTP, stops loops and projections, closes the pool
      await embedded?.stop();
      log.info({ event: 'process.stopped' }, 'stopped');
      process.exit(0);
    } catch (err) {
      log.error({ event: 'process.shutdown_failed', err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await start(app, config, log);
  } catch (err) {
    await app.close().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }
}

async function start(app: Awaited<ReturnType<typeof createApp>>, config: ReturnType<typeof loadConfig>, log: ReturnType<typeof createLogger>): Promise<void> {
  if (config.core.appMode === 'worker') {
    await app.init();
    log.info({ event: 'process.started', mode: 'worker' }, 'worker started (no HTTP)');
  } else {
    await app.listen({ port: config.core.port, host: config.core.host });
    const shown = config.core.host === '0.0.0.0' ? '127.0.0.1' : config.core.host;
    log.info(
      { event: 'process.started', mode: config.core.appMode, url: `http://${shown}:${config.core.port}` },
      `opsledger listening on http://${shown}:${config.core.port}`,
    );
  }
}

main().catch((err) => {
  // A configuration problem found after parsing (e.g. a bad OPSLEDGER_ADMIN_TOKEN) is one line too.
  if (err instanceof ConfigError) process.stderr.write(`opsledger: invalid configuration: ${err.message}\n`);
  else process.stderr.write(`opsledger: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
