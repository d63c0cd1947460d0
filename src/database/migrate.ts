import { hostname } from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';

/** Arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_301_001;

/** Runs pending migrations; many processes may call it at once, one does the work. Each run is recorded (migration_runs). */
export async function runMigrations(url: string): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const startedAt = new Date();
    const ds = new DataSource({ type: 'postgres', url, migrations, migrationsTableName: 'migrations', logging: false });
    await ds.initialize();
    try {
      const ran = (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
      await recordRun(lock, startedAt, ran, null);
      return ran;
    } catch (err) {
      await recordRun(lock, startedAt, [], err instanceof Error ? err.message : String(err)).catch(() => undefined);
      throw err;
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/** The run's row, and its applied-at on the migrations it applied before the column existed (0014 and earlier). */
async function recordRun(db: Client, startedAt: Date, ran: string[], error: string | null): Promise<void> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass('migration_runs') IS NOT NULL AS ok`);
  if (!rows[0].ok) return; // a database migrated short of 0014 (a failed first run)
  const finishedAt = new Date();
  if (ran.length) await db.query('UPDATE migrations SET applied_at = $2 WHERE applied_at IS NULL AND name = ANY($1::text[])', [ran, finishedAt]);
  await db.query('INSERT INTO migration_runs (started_at, finished_at, applied, error, instance) VALUES ($1, $2, $3, $4, $5)', [
    startedAt,
    finishedAt,
    ran,
    error,
    `${hostname()}:${process.pid}`,
  ]);
}
