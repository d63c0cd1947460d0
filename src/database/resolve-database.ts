import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrations } from './migrate';

/** DATABASE_URL when given, else the embedded server; migrated either way. */
export async function resolveDatabase(config: AppConfig, log: Logger): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.core.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.core.dataDir, port: config.core.embeddedPgPort, database: 'opsledger', log });
    url = embedded.url;
    log.info({ event: 'database.embedded_started', dataDir: config.core.dataDir, port: config.core.embeddedPgPort }, 'embedded PostgreSQL is up');
  }
  const ran = await runMigrations(url);
  if (ran.length) log.info({ event: 'database.migrated', migrations: ran }, `applied ${ran.length} migration(s)`);
  return { url, embedded };
}
