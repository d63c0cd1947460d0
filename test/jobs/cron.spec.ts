import { TestClock } from '../support/test-clock';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { jobsConfig, runtimeOn, TestRuntime } from './harness';

const SECOND = 1000;

/**
 * When the every-second job was defined (the log's own time): its schedule starts there. The
 * tests set their clock from it, so the ticks between it and the clock are known exactly.
 */
async function definedAt(p: TestRuntime): Promise<number> {
  const { rows } = await p.pool.query<{ at: Date }>(`SELECT (doc->>'changedAt')::timestamptz AS at FROM rm_job_definitions WHERE key = 'every-second'`);
  return rows[0].at.getTime();
}
/** Half a second past the first whole second after `ms`: one every-second tick is due, none is old. */
const justAfter = (ms: number) => Math.floor(ms / SECOND) * SECOND + SECOND + 500;
const iso = (ms: number) => new Date(ms).toISOString();

describe('cron ticker across processes', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
  /** Every "process" below reads this clock, which only the test moves. */
  const clock = TestClock.stopped(0);
  const proc = () => {
    const p = runtimeOn(db.url, { clock, config: jobsConfig({ CRON_MISSED_GRACE_MS: '5000' }), poolSize: 4 });
    p.catalog.define({ name: 'every-second', schedule: '* * * * * *', handler: { kind: 'code' } });
    p.catalog.define({ name: 'every-10s', schedule: '*/10 * * * * *', handler: { kind: 'code' } });
    procs.push(p);
    return p;
  };
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => {
    for (const p of procs) await p.close();
    await db.drop();
  });

  it('three processes ticking together enqueue one run per tick; a restart after downtime records TickMissed and catches up once', async () => {
    const [a, b, c] = [proc(), proc(), proc()];
    await a.reconcile();
    // The clock starts just after the definitions (nothing is old yet: no tick missed) and the
    // processes tick every second until hh:mm:s9.5 (5 to 14 ticks), so that the 60 s of downtime
    // below hold exactly six */10 ticks, all older than the grace, and none due.
    const start = justAfter(await definedAt(a));
    const steps = 5 + ((((9_500 - start - 5 * SECOND) % 10_000) + 10_000) % 10_000) / SECOND;
    clock.set(start);
    await Promise.all([a, b, c].map((p) => p.ticker.tick())); // baseline pass
    const { rows: before } = await a.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RunEnqueued'`);

    const enqueuedBy: string[][] = [[], [], []];
    for (let i = 0; i < steps; i++) {
      clock.advance(SECOND);
      const out = await Promise.all([a, b, c].map((p) => p.ticker.tick()));
      out.forEach((ids, k) => enqueuedBy[k].push(...ids));
    }
    const end = clock.now().getTime();
    expect(end % 10_000).toBe(9_500);
    const all = enqueuedBy.flat();
    expect(new Set(all).size).toBe(all.length); // no tick enqueued twice
    const { rows } = await a.pool.query(
      `SELECT data->>'job' AS job, data->>'scheduledFor' AS tick, count(*)::int AS n FROM events WHERE type = 'RunEnqueued' GROUP BY 1, 2 ORDER BY 2`,
    );
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const perSecond = rows.filter((r) => r.job === 'every-second').map((r) => r.tick);
    // Every second from the first tick to the last is there once: the baseline's and one per step.
    expect(perSecond).toEqual(Array.from({ length: steps + 1 }, (_, i) => iso(start - 500 + i * SECOND)));
    expect(rows.length - before[0].n).toBe(all.length);
    expect(await a.pool.query(`SELECT 1 FROM events WHERE type = 'TickMissed'`)).toMatchObject({ rowCount: 0 });

    // "Down" for 60 s: two fresh processes start and tick at the same moment.
    clock.advance(60 * SECOND);
    const [d, e] = [proc(), proc()];
    await Promise.all([d, e].map((p) => p.ticker.tick()));
    const missed = await d.pool.query(
      `SELECT data->>'job' AS job, data->>'tick' AS tick, data->>'caughtUpBy' AS by FROM events WHERE type = 'TickMissed' ORDER BY 1, 2`,
    );
    const missed10 = missed.rows.filter((r) => r.job === 'every-10s');
    // Six */10 ticks passed while down, all older than the 5 s grace: each recorded once.
    const sixTicks = Array.from({ length: 6 }, (_, i) => iso(end + 500 + i * 10 * SECOND));
    expect(missed10.map((r) => r.tick)).toEqual(sixTicks);
    // Every second of the downtime but the last five (within the grace: due, so enqueued) was missed.
    expect(missed.rows.filter((r) => r.job === 'every-second')).toHaveLength(55);
    // Policy "once": exactly one run for the missed */10 window, for its latest tick; none for the
    // every-second job, which had ticks due right now anyway.
    const afterDowntime = await d.pool.query(
      `SELECT stream_id, data->>'job' AS job, data->>'scheduledFor' AS tick FROM events WHERE type = 'RunEnqueued' AND (data->>'scheduledFor')::timestamptz > $1 ORDER BY 3`,
      [iso(end)],
    );
    const catchUps = afterDowntime.rows.filter((r) => r.job === 'every-10s');
    expect(catchUps.map((r) => r.tick)).toEqual([sixTicks[5]]);
    expect(missed10.filter((r) => r.by).map((r) => [r.tick, `job-${r.by}`])).toEqual([[sixTicks[5], catchUps[0].stream_id]]);
    expect(afterDowntime.rows.filter((r) => r.job === 'every-second').map((r) => r.tick)).toEqual(
      Array.from({ length: 5 }, (_, i) => iso(end + 55_500 + i * SECOND)),
    );
    // rm_job_definitions is applied inline with each TickMissed.
    const { rows: def } = await d.pool.query(`SELECT doc FROM rm_job_definitions WHERE key = 'every-10s'`);
    expect(def[0].doc.missedTicks).toBe(6);
  });
});

describe('cron ticker started while the run history lags', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
  const clock = TestClock.stopped(0);
  const proc = () => {
    const p = runtimeOn(db.url, { clock, config: jobsConfig({ CRON_MISSED_GRACE_MS: '3000' }), poolSize: 4 });
    p.catalog.define({ name: 'every-second', schedule: '* * * * * *', handler: { kind: 'code' } });
    procs.push(p);
    return p;
  };
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => {
    for (const p of procs) await p.close();
    await db.drop();
  });

  it('does not record ticks another process enqueued on time as missed, nor catch them up', async () => {
    const a = proc();
    await a.reconcile();
    clock.set(justAfter(await definedAt(a)));
    await a.ticker.tick(); // baseline pass: the first tick after the definition
    for (let i = 0; i < 10; i++) {
      clock.advance(SECOND);
      await a.ticker.tick();
    }
    // A fresh process resumes from rm_job_runs, which no runner updates here: it starts from when
    // the job was defined, so the ticks of the last ten seconds look missed unless it checks the log.
    const fresh = proc();
    expect(await fresh.ticker.tick()).toEqual([]);
    const onTime = await a.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RunEnqueued'`);
    expect(onTime.rows[0].n).toBe(11);
    const { rows } = await a.pool.query(`SELECT data->>'tick' AS tick FROM events WHERE type = 'TickMissed'`);
    expect(rows).toEqual([]);
    const { rows: runs } = await a.pool.query(
      `SELECT data->>'scheduledFor' AS tick, count(*)::int AS n FROM events WHERE type = 'RunEnqueued' GROUP BY 1 HAVING count(*) > 1`,
    );
    expect(runs).toEqual([]);
  });
});
