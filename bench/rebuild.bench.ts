/**
 * npm run bench:rebuild — a blue/green rebuild of a projection over the whole log (1M events by
 * default; BENCH_EVENTS / BENCH_SCALE change it), in events/s, next to a raw keyset scan of the same
 * events through the same driver. The rebuild streams pages of BENCH_REBUILD_BATCH events through a
 * cursor, 100 pages a step, folding in memory. The projection folds 3 of the 5 event types into one row per
 * stream (10,000 rows), the shape of a per-target health read model.
 */
import pino from 'pino';
import type { Projection } from '../projections/projection';
import { READ_ALL_SQL } from '../src/event-store/postgres/event-reads';
import { PostgresEventStore } from '../src/event-store/postgres/postgres-event-store';
import { ProjectionWorker } from '../src/projection-runner/projection-worker';
import { ratioOf, runBench, writeResults } from './result-file';
import { bulkFill, fmt, LOG_EVENTS, machine, rate, SCALE, startBenchDb } from './support';

const BATCH = Number(process.env.BENCH_REBUILD_BATCH ?? 1000);

interface Health {
  polls: number;
  failures: number;
  lastStatus: number;
  totalMs: number;
  attempts: number;
}

const health: Projection<Health> = {
  name: 'bench_health',
  version: 1,
  canHandle: ['PollSucceeded', 'PollFailed', 'JobSucceeded'],
  keysOf: (e) => [e.streamId],
  evolve: (row, e) => {
    const d = e.data as { status: number; ms: number; attempt: number };
    return {
      polls: (row?.polls ?? 0) + 1,
      failures: (row?.failures ?? 0) + (e.type === 'PollFailed' ? 1 : 0),
      lastStatus: d.status,
      totalMs: (row?.totalMs ?? 0) + d.ms,
      attempts: Math.max(row?.attempts ?? 0, d.attempt),
    };
  },
};

async function main(): Promise<void> {
  const t0 = Date.now();
  process.stderr.write(`bench:rebuild — ${machine()}; ${fmt(LOG_EVENTS)} events, shadow batches of ${BATCH}\n`);
  const db = await startBenchDb(8);
  const store = new PostgresEventStore(db.pool);
  try {
    await db.pool.query(`CREATE TABLE rm_bench_health (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
    process.stderr.write('filling the log...\n');
    await bulkFill(db.pool, 'events', LOG_EVENTS);

    // The raw peer: the same readable-log query, rows as the driver returns them, nothing else.
    const scan = async () => {
      const t = performance.now();
      let n = 0;
      for (let tx = '0', pos = '0'; ;) {
        const { rows } = await db.pool.query(READ_ALL_SQL, [tx, pos, BATCH]);
        if (!rows.length) break;
        n += rows.length;
        tx = rows[rows.length - 1].transaction_id;
        pos = rows[rows.length - 1].position;
      }
      return { n, ms: performance.now() - t };
    };
    const scans = [await scan(), await scan()];
    const raw = scans.sort((a, b) => a.ms - b.ms)[0];

    const runs: { events: number; ms: number }[] = [];
    for (let i = 0; i < 2; i++) {
      let events = 0;
      let lastShown = 0;
      const worker = new ProjectionWorker({
        pool: db.pool,
        store,
        databaseUrl: db.url,
        projection: health,
        log: pino({ level: 'warn' }),
        options: { batchSize: BATCH, rebuildBatchSize: BATCH, pollMs: 1000, retryMs: 1000, lockRetryMs: 1000, autoRebuild: true, swapLockTimeoutMs: 5000 },
        onRebuildProgress: (p) => {
          events = p.events;
          if (p.events - lastShown >= 200_000 || p.done) {
            lastShown = p.events;
            process.stderr.write(`  rebuild ${i + 1}: ${fmt(p.events)} events\n`);
          }
        },
      });
      const t = performance.now();
      if (!(await worker.rebuildHere(`bench run ${i + 1}`))) throw new Error('could not take the projection lock');
      runs.push({ events, ms: performance.now() - t });
    }
    const best = runs.sort((a, b) => a.ms - b.ms)[0];
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_bench_health');

    const lines = [
      `log: ${fmt(LOG_EVENTS)} events; read model: ${fmt(rows[0].n)} rows; batches of ${BATCH}`,
      `raw keyset scan (READ_ALL_SQL via pg)   ${fmt(rate(raw.n, raw.ms)).padStart(9)} events/s  (${(raw.ms / 1000).toFixed(1)} s)`,
      `projection rebuild (shadow + swap)      ${fmt(rate(best.events, best.ms)).padStart(9)} events/s  (${(best.ms / 1000).toFixed(1)} s)`,
      `ratio rebuild / raw scan                ${(rate(best.events, best.ms) / rate(raw.n, raw.ms)).toFixed(2)}×`,
    ];
    process.stdout.write(lines.join('\n') + `\n(total ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    const rebuildRate = rate(best.events, best.ms);
    const rawRate = rate(raw.n, raw.ms);
    writeResults(
      'rebuild',
      [
        {
          work: `projection rebuild, ${fmt(LOG_EVENTS)} events`,
          figure: rebuildRate,
          unit: 'events/s',
          reference: 'raw keyset scan (READ_ALL_SQL via pg)',
          referenceFigure: rawRate,
          ratio: ratioOf(rebuildRate, rawRate),
          goal: '≥ 0.5×',
        },
      ],
      { machine: machine(), events: LOG_EVENTS, batch: BATCH, scale: SCALE, runs },
    );
  } finally {
    await store.close();
    await db.stop();
  }
}

runBench('rebuild', main);
