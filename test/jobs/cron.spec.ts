import { createTestDatabase, TestDatabase } from '../support/test-database';
import { jobsConfig, runtimeOn, TestRuntime } from './harness';

/** A clock the test moves: every "process" below reads the same one. */
const clock = { t: 0, now: () => new Date(clock.t) };

describe('cron ticker across processes', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
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
    clock.t = Math.floor(Date.now() / 60_000) * 60_000 + 60_000 + 500; // hh:mm:00.500
    const [a, b, c] = [proc(), proc(), proc()];
    await a.reconcile(); // definitions "changed at" real now; the schedule starts from there
    await Promise.all([a, b, c].map((p) => p.ticker.tick())); // baseline pass
    const { rows: before } = await a.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RunEnqueued'`);

    const enqueuedBy: string[][] = [[], [], []];
    for (let i = 0; i < 5; i++) {
      clock.t += 1000;
      const out = await Promise.all([a, b, c].map((p) => p.ticker.tick()));
      out.forEach((ids, k) => enqueuedBy[k].push(...ids));
    }
    const all = enqueuedBy.flat();
    expect(new Set(all).size).toBe(all.length); // no tick enqueued twice
    const { rows } = await a.pool.query(
      `SELECT data->>'job' AS job, data->>'scheduledFor' AS tick, count(*)::int AS n FROM events WHERE type = 'RunEnqueued' GROUP BY 1, 2 ORDER BY 2`,
    );
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const perSecond = rows.filter((r) => r.job === 'every-second').map((r) => r.tick);
    // The five ticks of the last five seconds are each there once.
    for (let i = 0; i < 5; i++) expect(perSecond).toContain(new Date(Math.floor(clock.t / 1000) * 1000 - i * 1000).toISOString());
    expect(rows.length - before[0].n).toBe(all.length);

    // "Down" for 60 s: two fresh processes start and tick at the same moment.
    clock.t += 60_000;
    const [d, e] = [proc(), proc()];
    await Promise.all([d, e].map((p) => p.ticker.tick()));
    const missed = await d.pool.query(`SELECT data->>'job' AS job, data->>'tick' AS tick, data->>'caughtUpBy' AS by FROM events WHERE type = 'TickMissed' ORDER BY 1, 2`);
    const missed10 = missed.rows.filter((r) => r.job === 'every-10s');
    // 6 ticks of */10 passed while down; those older than the 5 s grace are missed, recorded once each.
    expect(missed10.length).toBeGreaterThanOrEqual(5);
    expect(new Set(missed10.map((r) => r.tick)).size).toBe(missed10.length);
    const catchUps = await d.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RunEnqueued' AND data->>'job' = 'every-10s' AND (data->>'scheduledFor')::timestamptz > $1`, [new Date(clock.t - 60_000).toISOString()]);
    // Policy "once": at most one run for the missed window (none if a tick was due right now anyway).
    expect(catchUps.rows[0].n).toBeLessThanOrEqual(1);
    // rm_job_definitions is an async projection: wait for it to apply the TickMissed events.
    let missedTicks: number | undefined;
    for (let i = 0; i < 100 && missedTicks !== missed10.length; i++) {
      if (i) await new Promise((r) => setTimeout(r, 50));
      missedTicks = (await d.pool.query(`SELECT doc FROM rm_job_definitions WHERE key = 'every-10s'`)).rows[0]?.doc.missedTicks;
    }
    expect(missedTicks).toBe(missed10.length);
  });
});

describe('cron ticker started while the run history lags', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
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
    clock.t = Date.now() + 500;
    await a.ticker.tick(); // baseline pass
    for (let i = 0; i < 10; i++) {
      clock.t += 1000;
      await a.ticker.tick();
    }
    // A fresh process resumes from rm_job_runs, which no runner updates here: it starts from when
    // the job was defined, so the ticks of the last ten seconds look missed unless it checks the log.
    const fresh = proc();
    await fresh.ticker.tick();
    const onTime = await a.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RunEnqueued'`);
    expect(onTime.rows[0].n).toBeGreaterThanOrEqual(10);
    const { rows } = await a.pool.query(
      `SELECT m.data->>'tick' AS tick FROM events m
         JOIN events r ON r.type = 'RunEnqueued' AND r.data->>'scheduledFor' = m.data->>'tick'
        WHERE m.type = 'TickMissed' AND (r.data->>'enqueuedAt')::timestamptz - (r.data->>'scheduledFor')::timestamptz < interval '3 seconds'`,
    );
    expect(rows).toEqual([]);
    const { rows: runs } = await a.pool.query(`SELECT data->>'scheduledFor' AS tick, count(*)::int AS n FROM events WHERE type = 'RunEnqueued' GROUP BY 1 HAVING count(*) > 1`);
    expect(runs).toEqual([]);
  });
});
