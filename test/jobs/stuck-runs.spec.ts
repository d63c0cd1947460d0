import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { jobsConfig, runtimeOn, streamTypes, TestRuntime } from './harness';

/** A handler that runs until it is aborted (a hung job that still honours its signal at shutdown). */
const hang = (_p: Record<string, unknown>, signal: AbortSignal) =>
  new Promise<void>((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

describe('janitor: stuck = active longer than the stuck age, whatever the timeout', () => {
  let db: TestDatabase;
  let p: TestRuntime;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    p = runtimeOn(db.url, { config: jobsConfig({ JANITOR_STUCK_AFTER_MS: '400' }) });
    // Both time out only after 30 s; the second declares that it legitimately runs up to a minute.
    p.catalog.define({ name: 'hung', timeout: '30s', maxAttempts: 3, handler: { kind: 'code' } }, hang);
    p.catalog.define({ name: 'long', timeout: '30s', stuckAfter: '60s', handler: { kind: 'code' } }, hang);
    await p.reconcile();
  });
  afterAll(async () => {
    await p.close();
    await db.drop();
  });

  it('fails a run active past JANITOR_STUCK_AFTER_MS long before its timeout, and spares a job that declares a longer stuckAfter', async () => {
    const worker = p.newWorker({ mode: 'worker', version: 'test', concurrency: 2 });
    await worker.start();
    try {
      const [hung] = await p.enqueueMany('hung', 1);
      const [long] = await p.enqueueMany('long', 1);
      await waitFor('both runs claimed by the worker', () => worker.running.length === 2);
      const runningSince = Date.now();

      // Not yet stuck: the janitor leaves both alone.
      expect((await p.janitor.run(p.janitorRules, 'test')).failedActive).toBe(0);

      await waitFor('the stuck age has passed', () => Date.now() - runningSince > 500, 5000, 20);
      const report = await p.janitor.run(p.janitorRules, 'test');
      expect(report.failedActive).toBe(1);
      // Failed for good, though it had attempts left and 29 s of its timeout: stuck is not a timeout.
      expect(await streamTypes(p.pool, hung)).toEqual(['RunEnqueued', 'RunClaimed', 'RunFailed', 'RunDeadLettered']);
      const failed = await p.pool.query(`SELECT data FROM events WHERE stream_id = $1 AND type = 'RunFailed'`, [`job-${hung}`]);
      expect(failed.rows[0].data.error).toMatch(/^janitor: stuck/);
      expect(await streamTypes(p.pool, long)).toEqual(['RunEnqueued', 'RunClaimed']);
      const enq = await p.pool.query(`SELECT data FROM events WHERE stream_id = $1 AND type = 'RunEnqueued'`, [`job-${long}`]);
      expect(enq.rows[0].data.stuckAfterMs).toBe(60_000);
    } finally {
      await worker.stop(200);
    }
  });
});
