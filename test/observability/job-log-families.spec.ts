import pino from 'pino';
import { jobsConfig, runtimeOn, TestRuntime } from '../jobs/harness';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { MemoryLog } from './memory-log';

/** The job families the one-app e2e cannot provoke on purpose, each made to happen for real on a real database. */
describe('job log families that need a broken or raced database', () => {
  let db: TestDatabase;
  let p: TestRuntime;
  const log = new MemoryLog();
  beforeAll(async () => {
    db = await createTestDatabase(2);
    p = runtimeOn(db.url, { log: pino({ level: 'debug' }, log) });
    p.catalog.define({ name: 'hourly', schedule: '0 * * * *', handler: { kind: 'code' } });
    p.catalog.define({ name: 'j', handler: { kind: 'code' } });
    await p.reconcile();
  });
  afterAll(async () => {
    await p.close();
    await db.drop();
  });

  it('background_job_cron.failed: the cron ticker cannot read the run history', async () => {
    await p.pool.query('ALTER TABLE rm_job_runs RENAME TO rm_job_runs_away');
    try {
      await p.ticker.tick();
    } finally {
      await p.pool.query('ALTER TABLE rm_job_runs_away RENAME TO rm_job_runs');
    }
    expect(await log.waitFor('background_job_cron.failed', { job: 'hourly', err: { message: /rm_job_runs/ } })).toMatchObject({ level: 50 });
  });

  it('background_job.claim_conflict: a run changed under its lock (its stream moved past the queue row)', async () => {
    const [runId] = await p.enqueueMany('j', 1);
    // An event the queue view does not fold: the stream is one revision ahead of the row.
    await p.store.append(`job-${runId}`, [{ type: 'Annotated', data: { note: 'out of band' } }], 'any');
    await p.registerWorker('w-racer');
    expect(await p.queue.claim('w-racer', ['j'], 1, new Date())).toEqual([]);
    expect(await log.waitFor('background_job.claim_conflict', { workerId: 'w-racer' })).toMatchObject({ level: 40 });
  });

  it('worker.reaped: a worker unseen too long is reaped and its run given back', async () => {
    const [runId] = await p.enqueueMany('j', 1, { fresh: true });
    await p.registerWorker('w-dead', { seenAgo: '1 hour' });
    const claimed = await p.queue.claim('w-dead', ['j'], 5, new Date());
    expect(claimed.map((c) => c.runId)).toContain(runId);
    await p.reaper.reap(30_000, 'w-alive');
    expect(await log.waitFor('worker.reaped', { workerId: 'w-dead', reapedBy: 'w-alive' })).toMatchObject({
      level: 40,
      abandonedRuns: expect.arrayContaining([runId]),
    });
  });

  it('worker.runs_given_back and worker.return_refused: a reaped worker gives its held runs back, and the write is refused', async () => {
    // A worker that never renews its lease, holding two runs behind its one busy slot.
    const q = runtimeOn(db.url, { log: pino({ level: 'debug' }, log), config: jobsConfig({ WORKER_LOCAL_QUEUE_SIZE: '5', WORKER_HEARTBEAT_MS: '3600000' }) });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    q.catalog.define({ name: 'held', handler: { kind: 'code' } }, () => gate);
    try {
      await q.reconcile();
      await q.enqueueMany('held', 3);
      const w = q.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
      await w.start();
      const deadline = Date.now() + 30_000;
      while (w.held < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(w.held).toBe(2);
      // Another process reaps it (unseen for 0 ms): its claimed runs, held ones too, are taken back.
      await q.reaper.reap(0, 'w-reaper');
      open();
      await w.stop(5000);
      expect(await log.waitFor('worker.runs_given_back', { workerId: w.id })).toMatchObject({ level: 30, runs: 2 });
      expect(await log.waitFor('worker.return_refused', { workerId: w.id })).toMatchObject({ level: 30 });
    } finally {
      open?.();
      await q.close();
    }
  });

  it('worker.rejoined: a worker reaped while alive drops its held runs and takes a new lease before it claims again', async () => {
    const q = runtimeOn(db.url, { log: pino({ level: 'debug' }, log), config: jobsConfig({ WORKER_LOCAL_QUEUE_SIZE: '5', WORKER_HEARTBEAT_MS: '3600000' }) });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    q.catalog.define({ name: 'paused-host', handler: { kind: 'code' } }, () => gate);
    const w = q.newWorker({ mode: 'worker', version: 'test', concurrency: 1 });
    try {
      await q.reconcile();
      await q.enqueueMany('paused-host', 3);
      await w.start();
      const deadline = Date.now() + 30_000;
      while (w.held < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Reaped while alive (its heartbeats stopped reaching the database for longer than the lease).
      await q.reaper.reap(0, 'w-reaper');
      // Two heartbeats at once both find the row gone: they take one new lease between them.
      await Promise.all([w.heartbeat(), w.heartbeat()]);
      expect(log.find('worker.heartbeat_failed', { workerId: w.id })).toEqual([]);
      expect(await log.waitFor('worker.rejoined', { workerId: w.id })).toMatchObject({ level: 40, droppedHeld: 2, inFlight: 1 });
      expect(w.held).toBe(0);
      const lease = await q.pool.query(`SELECT stopped_at FROM job_workers WHERE id = $1`, [w.id]);
      expect(lease.rows).toEqual([{ stopped_at: null }]);
      const stream = await q.pool.query(`SELECT type FROM events WHERE stream_id = $1 ORDER BY revision`, [`worker-${w.id}`]);
      expect(stream.rows.map((r) => r.type)).toEqual(['WorkerStarted', 'WorkerReaped', 'WorkerStarted']);
    } finally {
      open?.();
      await w.stop(5000);
      await q.close();
    }
  });

  it('a worker without a live lease row claims nothing: no reaper could ever give such a run back', async () => {
    const [runId] = await p.enqueueMany('j', 1, { fresh: true });
    expect(await p.queue.claim('w-never-registered', ['j'], 5, new Date())).toEqual([]);
    await p.registerWorker('w-stopped', { stopped: true });
    expect(await p.queue.claim('w-stopped', ['j'], 5, new Date())).toEqual([]);
    await p.registerWorker('w-live');
    expect((await p.queue.claim('w-live', ['j'], 5, new Date())).map((c) => c.runId)).toContain(runId);
  });
});
