import { leftQueueView, leftQueueViewSql, QueueRetention, queueRetentionParams, RETENTION_CLASSES, RetentionClass } from '../../src/jobs/queue/queue-retention';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const S = 1000;
const at = new Date('2026-03-02T10:30:00.000Z');
const rules: QueueRetention = { dropCompletedAfterMs: 100 * S, dropFailedAfterMs: 300 * S };
const ago = (ms: number) => new Date(at.getTime() - ms).toISOString();

/** state × finishedAt, and whether the run has left the live queue view at `at` under `rules`. */
const CASES: { state: string; finishedAt: string | null; left: boolean }[] = [
  ...['pending', 'retrying', 'running', 'cancelling'].flatMap((state) => [
    { state, finishedAt: null, left: false },
    { state, finishedAt: ago(10_000 * S), left: false }, // not finished: kept whatever the field says
  ]),
  ...['succeeded', 'cancelled', 'expired'].flatMap((state) => [
    { state, finishedAt: null, left: false },
    { state, finishedAt: ago(99 * S), left: false },
    { state, finishedAt: ago(100 * S), left: false }, // exactly the age: still kept
    { state, finishedAt: ago(100 * S + 1), left: true },
    { state, finishedAt: ago(299 * S), left: true },
  ]),
  { state: 'failed', finishedAt: null, left: false },
  { state: 'failed', finishedAt: ago(101 * S), left: false }, // a completed run would be gone
  { state: 'failed', finishedAt: ago(300 * S), left: false },
  { state: 'failed', finishedAt: ago(300 * S + 1), left: true },
  { state: 'failed', finishedAt: ago(7 * 86_400 * S), left: true },
  { state: 'failed', finishedAt: new Date(at.getTime() + 60 * S).toISOString(), left: false }, // after `at`
];

describe('queue retention: one rule for the janitor (SQL) and for ?at= answers (TypeScript)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    for (const [i, c] of CASES.entries()) {
      await db.pool.query(`INSERT INTO rm_job_queue (key, doc) VALUES ($1, $2)`, [`case-${i}`, { state: c.state, finishedAt: c.finishedAt }]);
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('the TypeScript predicate gives the table', () => {
    expect(CASES.map((c) => leftQueueView(c, at, rules))).toEqual(CASES.map((c) => c.left));
  });

  it('the SQL predicate over rm_job_queue gives the same table', async () => {
    const left = new Set<string>();
    for (const cls of Object.keys(RETENTION_CLASSES) as RetentionClass[]) {
      const { rows } = await db.pool.query<{ key: string }>(
        `SELECT key FROM rm_job_queue WHERE ${leftQueueViewSql(cls)}`,
        queueRetentionParams(cls, at, rules),
      );
      for (const r of rows) left.add(r.key);
    }
    expect(CASES.map((_, i) => left.has(`case-${i}`))).toEqual(CASES.map((c) => c.left));
  });
});
