import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { freePort } from '../test/support/free-port';

/** BENCH_SCALE multiplies every count and duration (e.g. 0.1 for a smoke run); BENCH_EVENTS sets the log size of the read/rebuild runs. */
export const SCALE = Number(process.env.BENCH_SCALE ?? '1');
export const LOG_EVENTS = Math.round(Number(process.env.BENCH_EVENTS ?? 1_000_000 * SCALE));

export interface BenchDb {
  readonly url: string;
  readonly pool: Pool;
  stop(): Promise<void>;
}

/** One embedded PostgreSQL in a temp dir, migrated, like test/support/global-setup.ts. */
export async function startBenchDb(poolSize = 20): Promise<BenchDb> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-bench-'));
  const db: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench', log: pino({ level: 'warn' }) });
  await runMigrations(db.url);
  const pool = new Pool({ connectionString: db.url, max: poolSize });
  pool.on('error', () => undefined); // idle clients dropped while the server stops
  return {
    url: db.url,
    pool,
    async stop() {
      await pool.end();
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The raw peer: a table of exactly the events table's shape (columns, defaults, identity, indexes). */
export async function createRawTable(pool: Pool): Promise<void> {
  await pool.query('CREATE TABLE raw_events (LIKE events INCLUDING ALL)');
}

export const eventData = (i: number) => ({ target: `instance::eu-${i % 97}`, status: 200 + (i % 5), ms: 100 + (i % 900), attempt: i % 3, note: 'poll ok' });
export const eventMeta = (i: number) => ({ occurredAt: '2026-03-01T10:00:00.000Z', correlationId: `c-${i}` });

/**
 * Fills a table of the events shape up to `total` rows with INSERT ... SELECT, `chunk` rows per
 * transaction (so the log spans many transaction ids), `streams` streams, a few event types.
 */
export async function bulkFill(pool: Pool, table: string, total: number, opts: { streams?: number; chunk?: number } = {}): Promise<void> {
  const streams = opts.streams ?? 10_000;
  const chunk = opts.chunk ?? 5_000;
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  // g numbers the filled events globally: stream g % streams, revision g / streams (the timed
  // phases write other stream names), the type cycling within each stream.
  for (let done = Number(rows[0].n), g0 = 0; done < total;) {
    const n = Math.min(chunk, total - done);
    await pool.query(
      `INSERT INTO ${table} (stream_id, revision, event_id, type, schema_version, data, metadata)
       SELECT 'fill-' || (g % $3), g / $3, gen_random_uuid(),
              (ARRAY['PollSucceeded','PollFailed','JobEnqueued','JobClaimed','JobSucceeded'])[1 + (g / $3) % 5], 1,
              jsonb_build_object('target', 'instance::eu-' || (g % 97), 'status', 200 + g % 5, 'ms', 100 + g % 900, 'attempt', g % 3, 'note', 'poll ok'),
              jsonb_build_object('occurredAt', '2026-03-01T10:00:00.000Z', 'correlationId', 'c-' || g)
         FROM generate_series($1::bigint, $2::bigint) g`,
      [g0, g0 + n - 1, streams],
    );
    done += n;
    g0 += n;
  }
  await pool.query(`VACUUM ANALYZE ${table}`);
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, ${process.platform}`;
}

export const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
export const fmt = (n: number) => n.toLocaleString('en-US');

/** Runs `workers` loops until `ms` has passed; each loop call does `perCall` units. Returns units/s. */
export async function timedLoops(
  workers: number,
  ms: number,
  perCall: number,
  call: (worker: number, i: number) => Promise<void>,
): Promise<{ units: number; ms: number; perSecond: number }> {
  const until = Date.now() + ms;
  const t0 = performance.now();
  let units = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; Date.now() < until; i++) {
        await call(w, i);
        units += perCall;
      }
    }),
  );
  const took = performance.now() - t0;
  return { units, ms: took, perSecond: rate(units, took) };
}
