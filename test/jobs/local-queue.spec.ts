import { runDecider } from '../../src/jobs/run.decider';
import type { JobWorker } from '../../src/jobs/worker/job-worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { jobsConfig, runtimeOn, streamTypes, TestRuntime } from './harness';

/** Events of every run stream, counted by type. */
async function counts(p: TestRuntime): Promise<Record<string, { n: number; streams: number }>> {
  const { rows } = await p.pool.query(
    `SELECT type, count(*)::int AS n, count(DISTINCT stream_id)::int AS streams FROM events WHERE stream_id LIKE 'job-%' GROUP BY type`,
  );
  return Object.fromEntries(rows.map((r) => [r.type, { n: r.n, streams: r.streams }]));
}
const stateCount = async (p: TestRuntime, state: string) =>
  (await p.pool.query(`SELECT count(*)::int AS n FROM rm_job_queue WHERE state = $1`, [state])).rows[0].n as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local queue: runs claimed ahead of free slots', () => {
  let db: TestDatabase;
  const procs: TestRuntime[] = [];
  const workers: JobWorker[] = [];
  const runtime = (env: Record<string, string>, opts: { poolSize?: number } = {}) => {
    const p = runtimeOn(db.url, { poolSize: opts.poolSize ?? 6, config: jobsConfig(env) });
    procs.push(p);
    // Every worker is stopped after the test, also when it failed half-way.
    const newWorker: TestRuntime['newWorker'] = (...args) => {
      const w = p.newWorker(...args);
      workers.push(w);
      return w;
    };
    return { ...p, newWorker };
  };
  beforeEach(async () => (db = await createTestDatabase(4)));
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(500)));
    for (const p of procs.splice(0)) await p.close();
    await db.drop();
  });

  it('4 workers with local queues of 100 run 3,000 runs exactly once, three events each, results written in groups', async () => {
    const RUNS = 3000;
    const executed = new Map<string, number>();
    const ps = Array.from({ length: 4 }, () => runtime({ WORKER_LOCAL_QUEUE_SIZE: '100' }));
    for (const p of ps)
      p.catalog.define(
        { name: 'noop', handler: { kind: 'code' } },
        async (params) => void executed.set(params.n as string, (executed.get(params.n as string) ?? 0) + 1),
      );
    await ps[0].reconcile();
    await ps[0].enqueueMany('noop', RUNS, (i) => ({ n: String(i) }));
    const workers = ps.map((p) => p.newWorker({ mode: 'worker', version: 'test', concurrency: 10 }));
    await Promise.all(workers.map((w) => w.start()));
    await waitFor(`${RUNS} runs succeeded`, async () => (await stateCount(ps[0], 'succeeded')) === RUNS, 120_000, 100);
    await Promise.all(workers.map((w) => w.stop(1000)));

    expect(executed.size).toBe(RUNS);
    expect([...executed.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await counts(ps[0])).toEqual({
      RunEnqueued: { n: RUNS, streams: RUNS },
      RunClaimed: { n: RUNS, streams: RUNS },
      RunSucceeded: { n: RUNS, streams: RUNS },
    });
    // Claims and results went in groups: far fewer transactions than runs.
    const tx = await ps[0].pool.query(
      `SELECT type, count(DISTINCT transaction_id)::int AS n FROM events WHERE type IN ('RunClaimed', 'RunSucceeded') GROUP BY type`,
    );
    for (const r of tx.rows) expect(r.n).toBeLessThan(RUNS / 4);
  }, 150_000);

  it('a held run is not started once the worker’s lease may have lapsed: the reaper or the worker gives it back, and it runs once', async () => {
    const HELD = 20;
    const executions = new Map<string, string[]>();
    const record = (who: string) => async (params: Record<string, unknown>) => {
      executions.set(params.n as string, [...(executions.get(params.n as string) ?? []), who]);
      if (who === 'lapsed') await sleep(4000); // longer than the lease: it lapses while this runs
    };
    // The lapsed worker never renews its 2 s lease; it holds 20 runs behind its one slot.
    const lapsed = runtime({ WORKER_LOCAL_QUEUE_SIZE: String(HELD), WORKER_HEARTBEAT_MS: '3600000', WORKER_REAP_AFTER_MS: '2000' });
    const healthy = runtime({ WORKER_HEARTBEAT_MS: '50', WORKER_REAP_AFTER_MS: '2000' });
    lapsed.catalog.define({ name: 'j', handler: { kind: 'code' } }, record('lapsed'));
    healthy.catalog.define({ name: 'j', handler: { kind: 'code' } }, record('healthy'));
    await lapsed.reconcile();
    const ids = await lapsed.enqueueMany('j', HELD + 1, (i) => ({ n: String(i) }));
    const l = lapsed.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    await l.start();
    await waitFor('the lapsed worker claimed every run', async () => (await counts(lapsed)).RunClaimed?.n === HELD + 1);
    // The healthy worker reaps lapsed leases on each of its heartbeats.
    const h = healthy.newWorker(
      { mode: 'worker', version: 'test', concurrency: 5 },
      { onHeartbeat: async (_s, w) => void (await healthy.reaper.reap(2000, w.id)) },
    );
    await h.start();
    await waitFor('every run succeeded', async () => (await stateCount(lapsed, 'succeeded')) === HELD + 1, 30_000, 100);
    // The lapsed worker's slot frees up after its long run: it must not start a held run then.
    await waitFor('the lapsed worker’s first run is over', () => l.running.length === 0, 30_000, 20);
    await sleep(300);
    await Promise.all([l.stop(2000), h.stop(2000)]);

    // The lapsed worker started exactly one run (before its lease ran out), none of the held ones.
    const byLapsed = [...executions].filter(([, who]) => who.includes('lapsed'));
    expect(byLapsed).toHaveLength(1);
    expect(l.held).toBe(0);
    // Every held run ran exactly once, by the healthy worker.
    const held = [...executions].filter(([, who]) => !who.includes('lapsed'));
    expect(held).toHaveLength(HELD);
    expect(held.filter(([, who]) => who.length !== 1)).toEqual([]);
    const c = await counts(lapsed);
    expect(c.RunSucceeded).toEqual({ n: HELD + 1, streams: HELD + 1 });
    expect(executions.size).toBe(ids.length);
  }, 60_000);

  it('a run held longer than WORKER_LOCAL_QUEUE_TTL_MS goes back unstarted, its attempt not counted, and runs once', async () => {
    const executions = new Map<string, number>();
    const p = runtime({ WORKER_LOCAL_QUEUE_SIZE: '5', WORKER_LOCAL_QUEUE_TTL_MS: '150' });
    p.catalog.define({ name: 'slow', handler: { kind: 'code' } }, async (params) => {
      executions.set(params.n as string, (executions.get(params.n as string) ?? 0) + 1);
      await sleep(400);
    });
    await p.reconcile();
    const ids = await p.enqueueMany('slow', 6, (i) => ({ n: String(i) }));
    const w = p.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    await w.start();
    await waitFor('every run succeeded', async () => (await stateCount(p, 'succeeded')) === 6, 30_000, 100);
    await w.stop(2000);

    expect([...executions.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    const c = await counts(p);
    expect(c.RunAbandoned?.n).toBeGreaterThan(0);
    expect(c.RetryScheduled?.n).toBe(c.RunAbandoned?.n);
    expect(c.RunSucceeded).toEqual({ n: 6, streams: 6 });
    const given = await p.pool.query(`SELECT data FROM events WHERE type = 'RunAbandoned'`);
    for (const r of given.rows) expect(r.data.reason).toMatch(/^not started in time: given back from the local queue/);
    // Given back with the same attempt: every success is attempt 1.
    const attempts = await p.pool.query(`SELECT DISTINCT (data->>'attempt')::int AS a FROM events WHERE type IN ('RunSucceeded', 'RetryScheduled')`);
    expect(attempts.rows).toEqual([{ a: 1 }]);
    expect(ids).toHaveLength(6);
  }, 60_000);

  it('a graceful stop gives held runs back at once (listed as released); another worker runs each once', async () => {
    const executions = new Map<string, string[]>();
    const first = runtime({ WORKER_LOCAL_QUEUE_SIZE: '5' });
    const second = runtime({});
    for (const [p, who] of [
      [first, 'first'],
      [second, 'second'],
    ] as const) {
      p.catalog.define({ name: 'j', handler: { kind: 'code' } }, async (params) => {
        executions.set(params.n as string, [...(executions.get(params.n as string) ?? []), who]);
        if (who === 'first') await sleep(500);
      });
    }
    await first.reconcile();
    const ids = await first.enqueueMany('j', 6, (i) => ({ n: String(i) }));
    const w1 = first.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    await w1.start();
    await waitFor('one run started, five held', () => executions.size === 1 && w1.held === 5);
    await w1.stop(5000);
    const stopped = await first.pool.query(`SELECT data FROM events WHERE stream_id = $1 AND type = 'WorkerStopped'`, [`worker-${w1.id}`]);
    expect(stopped.rows[0].data.released).toHaveLength(5);
    const w2 = second.newWorker({ mode: 'worker', version: 'test', concurrency: 2 });
    await w2.start();
    await waitFor('every run succeeded', async () => (await stateCount(first, 'succeeded')) === 6, 30_000, 100);
    await w2.stop(2000);
    expect([...executions.values()].map((who) => who.join()).sort()).toEqual(['first', 'second', 'second', 'second', 'second', 'second']);
    for (const id of ids.filter((id) => !stopped.rows[0].data.released.includes(id)))
      expect(await streamTypes(first.pool, id)).toEqual(['RunEnqueued', 'RunClaimed', 'RunSucceeded']);
    for (const id of stopped.rows[0].data.released)
      expect(await streamTypes(first.pool, id)).toEqual(['RunEnqueued', 'RunClaimed', 'RunAbandoned', 'RetryScheduled', 'RunClaimed', 'RunSucceeded']);
  }, 60_000);

  it('a cancel requested for a held run cancels it without starting it', async () => {
    const started: string[] = [];
    const p = runtime({ WORKER_LOCAL_QUEUE_SIZE: '3' });
    p.catalog.define({ name: 'c', cancellable: true, handler: { kind: 'code' } }, async (params) => {
      started.push(params.n as string);
      await sleep(700);
    });
    await p.reconcile();
    const ids = await p.enqueueMany('c', 2, (i) => ({ n: String(i) }));
    const w = p.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    await w.start();
    await waitFor('one started, one held', () => started.length === 1 && w.held === 1);
    const heldId = ids[started[0] === '0' ? 1 : 0];
    await p.writer.act([heldId], (row) => runDecider.decide({ type: 'RequestCancel', actor: 'test', reason: 'not needed', now: new Date() }, row));
    await waitFor(
      'the held run cancelled',
      async () => (await p.pool.query(`SELECT state FROM rm_job_queue WHERE key = $1`, [heldId])).rows[0].state === 'cancelled',
    );
    await waitFor('the other run succeeded', async () => (await stateCount(p, 'succeeded')) === 1);
    await w.stop(2000);
    expect(started).toHaveLength(1);
    expect(await streamTypes(p.pool, heldId)).toEqual(['RunEnqueued', 'RunClaimed', 'CancelRequested', 'RunCancelled']);
  }, 60_000);

  it('runs that finish together are written in one transaction (WORKER_COMPLETE_BATCH_MS)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const p = runtime({ WORKER_COMPLETE_BATCH_MS: '100' });
    p.catalog.define({ name: 'g', handler: { kind: 'code' } }, () => gate);
    await p.reconcile();
    await p.enqueueMany('g', 8);
    const w = p.newWorker({ mode: 'worker', version: 'test', concurrency: 8 });
    await w.start();
    await waitFor('all eight running', () => w.running.length === 8);
    release();
    await waitFor('all eight succeeded', async () => (await stateCount(p, 'succeeded')) === 8);
    await w.stop(2000);
    const tx = await p.pool.query(`SELECT count(DISTINCT transaction_id)::int AS n, count(*)::int AS events FROM events WHERE type = 'RunSucceeded'`);
    expect(tx.rows[0]).toEqual({ n: 1, events: 8 });
  }, 60_000);

  it('an enqueue wakes an idle worker at once (NOTIFY after the commit), not at its next poll', async () => {
    const p = runtime({ WORKER_POLL_MS: '60000' });
    let startedAt = 0;
    p.catalog.define({ name: 'n', handler: { kind: 'code' } }, async () => void (startedAt = Date.now()));
    await p.reconcile();
    const w = p.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    await w.start();
    await sleep(300); // the worker's first (empty) claim is over; it now waits for a minute
    const enqueuedAt = Date.now();
    await p.enqueueMany('n', 1);
    await waitFor('the run started', () => startedAt > 0, 10_000, 10);
    await w.stop(2000);
    expect(startedAt - enqueuedAt).toBeLessThan(10_000);
  }, 30_000);
});
