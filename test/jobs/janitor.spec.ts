import { jobQueueProjection } from '../../projections/job-queue/job-queue.projection';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { runtimeOn, streamTypes, TestRuntime } from './harness';

const clock = { t: Date.now(), now: () => new Date(clock.t) };
const S = 1000;

describe('janitor rules', () => {
  let db: TestDatabase;
  let p: TestRuntime;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    p = runtimeOn(db.url, { clock });
    p.catalog.define({ name: 'j', timeout: '10s', maxAttempts: 3, handler: { kind: 'code' } });
    p.catalog.define({ name: 'exp', expiresAfter: '30s', handler: { kind: 'code' } });
    await p.reconcile();
  });
  afterAll(async () => {
    await p.close();
    await db.drop();
  });

  const state = async (id: string) => (await p.pool.query(`SELECT state FROM rm_job_queue WHERE key = $1`, [id])).rows[0]?.state ?? 'dropped';
  const succeed = (id: string, workerId: string) =>
    p.writer.act([id], () => [
      { type: 'RunSucceeded', data: { workerId, attempt: 1, finishedAt: clock.now().toISOString(), durationMs: 5, exitCode: 0, logTail: '', error: null } },
    ]);

  it('applies each rule at its age and leaves younger rows alone', async () => {
    const rules = {
      stuckAfterMs: 60 * S,
      cancelPendingAfterMs: 120 * S,
      dropCompletedAfterMs: 100 * S,
      dropFailedAfterMs: 300 * S,
      reapWorkersAfterMs: 30 * S,
      idempotencyKeyTtlMs: 200 * S,
    };
    const t0 = clock.t;
    // Old: a stuck run, a waiting run, a completed run, an expiring run; a dead worker with a run.
    const [stuck, waiting, done, doomed, orphan] = await p.enqueueMany('j', 5);
    const [expiring] = await p.enqueueMany('exp', 1);
    await p.registerWorker('w-alive');
    const claimed = await p.queue.claim('w-alive', ['j'], 3, clock.now()); // stuck, waiting?, … by age
    const byId = new Set(claimed.map((c) => c.runId));
    expect(byId).toEqual(new Set([stuck, waiting, done]));
    // Re-shape: only `stuck` stays running for w-alive; `done` succeeds; `waiting` goes back to waiting.
    await succeed(done, 'w-alive');
    await p.writer.act([waiting], () => [
      { type: 'RunAbandoned', data: { workerId: 'w-alive', attempt: 1, at: clock.now().toISOString(), reason: 'test' } },
      { type: 'RetryScheduled', data: { attempt: 1, readyAt: clock.now().toISOString(), backoffMs: 0 } },
    ]);
    // `doomed` fails for good (dead-letter) — dropped only after 300 s.
    await p.writer.act([doomed], () => [{ type: 'RunDeadLettered', data: { attempts: 1, reason: 'test', at: clock.now().toISOString() } }]);
    // A worker last seen long ago owns `orphan`.
    await p.registerWorker('w-dead', { seenAgo: '1 hour' });
    clock.t = t0 + 65 * S; // claimed recently: not past its timeout when the janitor looks
    await p.queue.claim('w-dead', ['j'], 1, clock.now());
    expect(await state(orphan)).toBe('running');
    await p.pool.query(`INSERT INTO job_idempotency_keys (key, job, run_id, created_at) VALUES ('j:old', 'j', 'x', $1), ('j:new', 'j', 'y', $2)`, [
      new Date(t0 - 300 * S),
      new Date(t0),
    ]);

    // 71 s later: only the stuck run (active > 60 s), the expiry and the dead worker qualify.
    clock.t = t0 + 71 * S;
    const r1 = await p.janitor.run(rules, 'test');
    expect(r1).toEqual({
      failedActive: 1,
      expired: 1,
      cancelledPending: 0,
      droppedCompleted: 0,
      droppedFailed: 0,
      reapedWorkers: 1,
      abandonedRuns: 1,
      expiredIdempotencyKeys: 1,
    });
    expect(await streamTypes(p.pool, stuck)).toEqual(['RunEnqueued', 'RunClaimed', 'RunFailed', 'RunDeadLettered']);
    expect(await streamTypes(p.pool, expiring)).toEqual(['RunEnqueued', 'RunExpired']);
    expect(await streamTypes(p.pool, orphan)).toEqual(['RunEnqueued', 'RunClaimed', 'RunAbandoned', 'RetryScheduled']);
    expect(await state(orphan)).toBe('retrying');
    const reaped = await p.pool.query(`SELECT data FROM events WHERE stream_id = 'worker-w-dead'`);
    expect(reaped.rows[0].data).toMatchObject({ workerId: 'w-dead', abandonedRuns: [orphan] });
    expect((await p.pool.query(`SELECT key FROM job_idempotency_keys`)).rows).toEqual([{ key: 'j:new' }]);

    // 130 s: the run waiting since t0 is cancelled (the orphan's retry, ready at 71 s, is not yet);
    // the completed one (finished at t0) is dropped.
    clock.t = t0 + 130 * S;
    const r2 = await p.janitor.run(rules, 'test');
    expect(r2).toMatchObject({ cancelledPending: 1, droppedCompleted: 1, droppedFailed: 0, failedActive: 0 });
    expect(await streamTypes(p.pool, waiting)).toEqual(['RunEnqueued', 'RunClaimed', 'RunAbandoned', 'RetryScheduled', 'RunCancelled']);
    expect(await state(done)).toBe('dropped');
    expect(await streamTypes(p.pool, done)).toEqual(['RunEnqueued', 'RunClaimed', 'RunSucceeded']); // the events stay

    // 400 s: failed rows (doomed at t0, stuck at 71 s) leave the live view after 300 s; expired and
    // cancelled ones count as completed (100 s); the orphan's retry has waited > 120 s: cancelled.
    clock.t = t0 + 400 * S;
    const r3 = await p.janitor.run(rules, 'test');
    expect(r3).toMatchObject({ droppedFailed: 2, droppedCompleted: 2, cancelledPending: 1 });
    expect(await state(doomed)).toBe('dropped');
    const left = await p.pool.query(`SELECT key, state FROM ${'rm_' + jobQueueProjection.name}`);
    expect(left.rows).toEqual([{ key: orphan, state: 'cancelled' }]);
  });
});
