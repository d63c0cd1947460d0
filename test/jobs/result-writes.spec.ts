import { evolveRun, RunState } from '../../src/jobs/run.state';
import { runDecider } from '../../src/jobs/run.decider';
import type { JobWorker } from '../../src/jobs/worker/job-worker';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { jobsConfig, runtimeOn, streamTypes, TestRuntime } from './harness';

/** The queue row as stored, and the row its stream folds to (what a rebuild would write). */
async function rowAndFold(p: TestRuntime, runId: string): Promise<{ row: RunState; fold: RunState | null; revision: string; streamId: string }> {
  const { rows } = await p.pool.query(`SELECT doc, revision::text, stream_id FROM rm_job_queue WHERE key = $1`, [runId]);
  let fold: RunState | null = null;
  for (const e of await p.store.readStream(`job-${runId}`)) fold = evolveRun(fold, e);
  return { row: rows[0].doc, fold, revision: rows[0].revision, streamId: rows[0].stream_id };
}

describe('run results: one statement, locks only when a run changed since its claim', () => {
  let db: TestDatabase;
  let p: TestRuntime;
  const workers: JobWorker[] = [];
  beforeEach(async () => {
    db = await createTestDatabase(4);
    p = runtimeOn(db.url, { poolSize: 6, config: jobsConfig({ WORKER_COMPLETE_BATCH_MS: '100' }) });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(500)));
    await p.close();
    await db.drop();
  });

  it('a group of results commits its events and queue rows together, each row the fold of its stream', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    p.catalog.define({ name: 'g', handler: { kind: 'code' } }, () => gate);
    await p.reconcile();
    const ids = await p.enqueueMany('g', 6);
    const w = p.newWorker({ mode: 'worker', version: 'test', concurrency: 6 });
    workers.push(w);
    await w.start();
    await waitFor('all six running', () => w.running.length === 6);
    release();
    await waitFor(
      'all six succeeded',
      async () => (await p.pool.query(`SELECT count(*)::int AS n FROM rm_job_queue WHERE state = 'succeeded'`)).rows[0].n === 6,
    );
    // Every row was written by the transaction of its RunSucceeded: xmin (32 bits) of the row version.
    const { rows } = await p.pool.query<{ row_tx: string; event_tx: string }>(
      `SELECT q.xmin::text AS row_tx, (e.transaction_id::text::bigint % 4294967296)::text AS event_tx
         FROM rm_job_queue q JOIN events e ON e.stream_id = 'job-' || q.key AND e.type = 'RunSucceeded'
        WHERE q.key = ANY($1::text[])`,
      [ids],
    );
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(r.row_tx).toBe(r.event_tx);
    expect(new Set(rows.map((r) => r.event_tx)).size).toBe(1);
    for (const id of ids) {
      const { row, fold, revision, streamId } = await rowAndFold(p, id);
      expect(row).toEqual(fold);
      expect([revision, streamId]).toEqual(['2', `job-${id}`]);
    }
  }, 60_000);

  it('a run changed after its claim (a cancel request) is written on the locking path, decided on the changed run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    // Ignores its signal: finishes when released, so the worker reports a success on its stale copy.
    p.catalog.define({ name: 'c', cancellable: true, handler: { kind: 'code' } }, async (params) => {
      started.push(params.n as string);
      await gate;
    });
    await p.reconcile();
    const [a, b] = await p.enqueueMany('c', 2, (i) => ({ n: String(i) }));
    const w = p.newWorker({ mode: 'worker', version: 'test', concurrency: 2 });
    workers.push(w);
    await w.start();
    await waitFor('both running', () => w.running.length === 2);
    // The cancel request moves run a past the revision the worker holds.
    await p.writer.act([a], (row) => runDecider.decide({ type: 'RequestCancel', actor: 'test', reason: 'not needed', now: new Date() }, row));
    release();
    await waitFor(
      'both ended',
      async () =>
        (await p.pool.query(`SELECT count(*)::int AS n FROM rm_job_queue WHERE key = ANY($1::text[]) AND state IN ('succeeded', 'cancelled')`, [[a, b]]))
          .rows[0].n === 2,
    );
    // a: its result decided on the cancelling row (the worker's abort or its success, whichever came first), once.
    const typesA = await streamTypes(p.pool, a);
    expect(typesA.slice(0, 3)).toEqual(['RunEnqueued', 'RunClaimed', 'CancelRequested']);
    expect(typesA).toHaveLength(4);
    expect(['RunCancelled', 'RunSucceeded']).toContain(typesA[3]);
    expect(await streamTypes(p.pool, b)).toEqual(['RunEnqueued', 'RunClaimed', 'RunSucceeded']);
    for (const id of [a, b]) {
      const { row, fold } = await rowAndFold(p, id);
      expect(row).toEqual(fold);
    }
  }, 60_000);
});
