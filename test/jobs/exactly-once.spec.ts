import pino from 'pino';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { jobsConfig, runtimeOn, TestRuntime } from './harness';

const RUNS = Number(process.env.JOBS_EXACTLY_ONCE_RUNS ?? 10_000);
const WORKERS = 4;
/** The wait for every run to succeed, inside the test's own timeout so the wait reports first. */
const ALL_DONE_MS = 150_000;

/** Each run's events, counted by type over every run stream. */
async function eventCounts(p: TestRuntime): Promise<{ type: string; n: number; streams: number }[]> {
  const { rows } = await p.pool.query(
    `SELECT type, count(*)::int AS n, count(DISTINCT stream_id)::int AS streams FROM events WHERE stream_id LIKE 'job-%' GROUP BY type ORDER BY type`,
  );
  return rows;
}

const succeededCount = async (p: TestRuntime) =>
  (await p.pool.query(`SELECT count(*)::int AS n FROM rm_job_queue WHERE state = 'succeeded'`)).rows[0].n as number;

describe('4 workers × 10,000 runs', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
  beforeAll(async () => (db = await createTestDatabase(4)));
  afterAll(async () => {
    for (const p of procs) await p.close();
    await db.drop();
  });

  it(
    'executes every run exactly once: none lost, none twice',
    async () => {
      const executed = new Map<string, number>();
      for (let i = 0; i < WORKERS; i++) {
        const p = runtimeOn(db.url, { poolSize: 6 });
        // The handler counts executions per run in this process: all 4 "processes" share the map.
        p.catalog.define({ name: 'noop', handler: { kind: 'code' } }, async (params) => {
          executed.set(params.n as string, (executed.get(params.n as string) ?? 0) + 1);
        });
        procs.push(p);
      }
      await procs[0].reconcile();
      // Each run carries its number as param n, so the handler knows which run it executes.
      await procs[0].enqueueMany('noop', RUNS, (i) => ({ n: String(i) }));
      const ids = Array.from({ length: RUNS }, (_, i) => String(i));
      const workers = procs.map((p) => p.newWorker({ mode: 'worker', version: 'test', concurrency: 10 }));
      const started = Date.now();
      await Promise.all(workers.map((w) => w.start()));
      await waitFor(`${RUNS} runs succeeded`, async () => (await succeededCount(procs[0])) === RUNS, ALL_DONE_MS, 100);
      const ms = Date.now() - started;
      await Promise.all(workers.map((w) => w.stop(1000)));

      expect(executed.size).toBe(RUNS);
      expect([...executed.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(ids)).toEqual(new Set(executed.keys()));
      expect(await eventCounts(procs[0])).toEqual([
        { type: 'RunClaimed', n: RUNS, streams: RUNS },
        { type: 'RunEnqueued', n: RUNS, streams: RUNS },
        { type: 'RunSucceeded', n: RUNS, streams: RUNS },
      ]);
      // Each worker did part of the work.
      const perWorker = await procs[0].pool.query(`SELECT data->>'workerId' AS w, count(*)::int AS n FROM events WHERE type = 'RunClaimed' GROUP BY 1`);
      expect(perWorker.rows.length).toBe(WORKERS);
      process.stdout.write(`exactly-once: ${RUNS} runs by ${WORKERS} workers in ${ms} ms (${Math.round((RUNS / ms) * 1000)} runs/s)\n`);
    },
    ALL_DONE_MS + 30_000,
  );
});

const SLOW_RUNS = 200;
/** How long one execution takes: longer than the lease, so a lapsed lease expires mid-run. */
const HANDLER_MS = 500;
const REAP_AFTER_MS = 250;

describe('slow handlers whose workers lose their lease mid-run', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
  beforeAll(async () => (db = await createTestDatabase(4)));
  afterAll(async () => {
    for (const p of procs) await p.close();
    await db.drop();
  });

  it('reaps the runs of the lapsed workers and retries them: still exactly one success per run, and every late result is refused', async () => {
    const executions = new Map<string, number>();
    const discarded: string[] = [];
    // Records which late results the workers discarded (the log is the only place that says so).
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => void (JSON.parse(line).event === 'background_job.result_discarded' && discarded.push(JSON.parse(line).runId)) },
    );
    // Two workers renew their lease every 50 ms and reap lapsed ones on each renewal; two never
    // renew theirs (a process whose heartbeats stopped reaching the database): their lease lapses
    // while their first runs are still executing.
    const kinds = ['healthy', 'healthy', 'lapsed', 'lapsed'] as const;
    for (const kind of kinds) {
      const p = runtimeOn(db.url, { poolSize: 6, log, config: jobsConfig({ WORKER_HEARTBEAT_MS: kind === 'healthy' ? '50' : '3600000' }) });
      p.catalog.define({ name: 'slow', maxAttempts: 10, backoff: { kind: 'fixed', base: 0 }, handler: { kind: 'code' } }, async (params) => {
        executions.set(params.n as string, (executions.get(params.n as string) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, HANDLER_MS)); // the work itself: slower than the lease
      });
      procs.push(p);
    }
    await procs[0].reconcile();
    await procs[0].enqueueMany('slow', SLOW_RUNS, (i) => ({ n: String(i) }));
    const workers = procs.map((p, i) =>
      p.newWorker(
        { mode: 'worker', version: 'test', concurrency: 5 },
        kinds[i] === 'healthy' ? { onHeartbeat: async (_s, w) => void (await p.reaper.reap(REAP_AFTER_MS, w.id)) } : {},
      ),
    );
    // The lapsed workers start first and hold runs before any reaper runs: on a loaded machine their
    // start could otherwise outlast REAP_AFTER_MS, and they would be reaped with nothing in flight.
    const lapsed = workers.filter((_, i) => kinds[i] === 'lapsed');
    await Promise.all(lapsed.map((w) => w.start()));
    await waitFor('the lapsed workers hold runs', async () => lapsed.every((w) => w.running.length > 0), 10_000, 10);
    await Promise.all(workers.filter((w) => !lapsed.includes(w)).map((w) => w.start()));
    await waitFor(`${SLOW_RUNS} slow runs succeeded`, async () => (await succeededCount(procs[0])) === SLOW_RUNS, 45_000, 100);
    // Stopping waits for the lapsed workers' last executions, whose results are refused.
    await Promise.all(workers.map((w) => w.stop(5000)));

    const counts = Object.fromEntries((await eventCounts(procs[0])).map((r) => [r.type, r]));
    const abandoned = counts.RunAbandoned?.n ?? 0;
    // The scenario happened: both lapsed workers were reaped with runs in flight.
    const reaped = await procs[0].pool.query(
      `SELECT data->>'workerId' AS w, jsonb_array_length(data->'abandonedRuns')::int AS n FROM events WHERE type = 'WorkerReaped' ORDER BY 1`,
    );
    expect(reaped.rows.map((r) => r.w).sort()).toEqual([workers[2].id, workers[3].id].sort());
    expect(abandoned).toBeGreaterThan(0);
    expect(reaped.rows.reduce((sum, r) => sum + r.n, 0)).toBe(abandoned);
    // One success per run; every abandon was retried and claimed again; nothing failed.
    expect(counts.RunSucceeded).toEqual({ type: 'RunSucceeded', n: SLOW_RUNS, streams: SLOW_RUNS });
    expect(counts.RunEnqueued).toEqual({ type: 'RunEnqueued', n: SLOW_RUNS, streams: SLOW_RUNS });
    expect(counts.RetryScheduled?.n).toBe(abandoned);
    expect(counts.RunClaimed.n).toBe(SLOW_RUNS + abandoned);
    expect(Object.keys(counts).sort()).toEqual(['RetryScheduled', 'RunAbandoned', 'RunClaimed', 'RunEnqueued', 'RunSucceeded']);
    // Every run executed; an abandoned one twice (the lapsed worker's execution and the retry),
    // and the lapsed worker's late result was discarded, not recorded.
    expect(executions.size).toBe(SLOW_RUNS);
    expect([...executions.values()].reduce((a, b) => a + b, 0)).toBe(SLOW_RUNS + abandoned);
    expect(discarded.length).toBe(abandoned);
    // Run by run: one execution more than the times it was abandoned.
    const perRun = await procs[0].pool.query(
      `SELECT e.data->'params'->>'n' AS n, (SELECT count(*)::int FROM events a WHERE a.stream_id = e.stream_id AND a.type = 'RunAbandoned') AS abandoned FROM events e WHERE e.type = 'RunEnqueued'`,
    );
    expect(perRun.rows.filter((r) => executions.get(r.n) !== 1 + r.abandoned)).toEqual([]);
  }, 60_000);
});
