import { createTestDatabase, TestDatabase } from '../support/test-database';
import { runtimeOn, TestRuntime, waitFor } from './harness';

const RUNS = Number(process.env.JOBS_EXACTLY_ONCE_RUNS ?? 10_000);
const WORKERS = 4;

describe('4 workers × 10,000 runs', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
  beforeAll(async () => (db = await createTestDatabase(4)));
  afterAll(async () => {
    for (const p of procs) await p.close();
    await db.drop();
  });

  it('executes every run exactly once: none lost, none twice', async () => {
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
    await waitFor(async () => {
      const { rows } = await procs[0].pool.query(`SELECT count(*)::int AS n FROM rm_job_queue WHERE state = 'succeeded'`);
      return rows[0].n === RUNS;
    }, 90_000, 100);
    const ms = Date.now() - started;
    await Promise.all(workers.map((w) => w.stop(1000)));

    expect(executed.size).toBe(RUNS);
    expect([...executed.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(ids)).toEqual(new Set(executed.keys()));
    const { rows } = await procs[0].pool.query(
      `SELECT type, count(*)::int AS n, count(DISTINCT stream_id)::int AS streams FROM events WHERE stream_id LIKE 'job-%' GROUP BY type ORDER BY type`,
    );
    expect(rows).toEqual([
      { type: 'RunClaimed', n: RUNS, streams: RUNS },
      { type: 'RunEnqueued', n: RUNS, streams: RUNS },
      { type: 'RunSucceeded', n: RUNS, streams: RUNS },
    ]);
    // Each worker did part of the work.
    const perWorker = await procs[0].pool.query(`SELECT data->>'workerId' AS w, count(*)::int AS n FROM events WHERE type = 'RunClaimed' GROUP BY 1`);
    expect(perWorker.rows.length).toBe(WORKERS);
    process.stdout.write(`exactly-once: ${RUNS} runs by ${WORKERS} workers in ${ms} ms (${Math.round((RUNS / ms) * 1000)} runs/s)\n`);
  });
});
