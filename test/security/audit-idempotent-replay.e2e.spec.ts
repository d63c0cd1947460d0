import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';

/**
 * An idempotent replay is recorded as what it is. 20 concurrent run-now requests with one
 * Idempotency-Key queue exactly one run; the audit log holds exactly one `applied` entry naming
 * that run (its RunEnqueued carries the entry's id as causationId) and one `duplicate` entry per
 * replay naming the same, original run; every answer names that run.
 */
describe('audit: idempotent run-now replays', () => {
  let t: TestApp;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-replay-'));
    const config = path.join(dir, 'jobs.json');
    writeFileSync(
      config,
      JSON.stringify({
        jobs: [{ name: 'report', schedule: 'on-demand', params: ['custom'], handler: { kind: 'command', argv: [process.execPath, '-e', ''] } }],
      }),
    );
    // No workers: the run stays queued, so nothing but the requests writes to it.
    t = await startTestApp({ OPSLEDGER_CONFIG: config, WORKER_CONCURRENCY: '0' });
  });
  afterAll(async () => t?.close());

  it('20 parallel run-now with one Idempotency-Key: 1 run, 1 applied entry, 19 duplicates naming it, every answer naming it', async () => {
    const reason = `replay test ${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request('POST', '/api/jobs/report/run', { body: { reason, params: { n: i } }, headers: { 'idempotency-key': 'deploy-42' } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const runIds = new Set(answers.map((a) => a.body.runId));
    expect(runIds.size).toBe(1);
    const [runId] = runIds;
    expect(answers.filter((a) => a.body.state === 'pending')).toHaveLength(1);
    expect(answers.filter((a) => a.body.state === 'duplicate')).toHaveLength(19);

    const runs = await t.db.pool.query(`SELECT stream_id, metadata FROM events WHERE type = 'RunEnqueued'`);
    expect(runs.rows.map((r) => r.stream_id)).toEqual([`job-${runId}`]);

    const entries = (
      await t.db.pool.query(
        `SELECT event_id, data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'job.run' AND data->>'reason' = $1 ORDER BY position`,
        [reason],
      )
    ).rows;
    const applied = entries.filter((e) => e.data.outcome === 'applied');
    const duplicates = entries.filter((e) => e.data.outcome === 'duplicate');
    expect(applied).toHaveLength(1);
    expect(duplicates).toHaveLength(19);
    expect(entries).toHaveLength(20);
    expect(entries.map((e) => e.data.details.runId)).toEqual(Array(20).fill(runId));
    expect(entries.every((e) => e.data.details.idempotencyKey === 'deploy-42')).toBe(true);
    // The first entry in the chain is the one that queued the run; the run points at it.
    expect(entries[0].data.outcome).toBe('applied');
    expect(runs.rows[0].metadata.causationId).toBe(applied[0].event_id);
    // Replays caused nothing: no event anywhere points at a duplicate entry.
    const caused = await t.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE metadata->>'causationId' = ANY($1::text[])`, [
      duplicates.map((d) => d.event_id),
    ]);
    expect(caused.rows[0].n).toBe(0);

    // The audit API shows the outcome; a later replay still answers with the original run.
    await waitForProjections(t);
    const listed = await t.request('GET', `/api/audit?action=job.run&outcome=duplicate&limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(19);
    expect(listed.body.items.every((i: { outcome: string; details: { runId: string } }) => i.outcome === 'duplicate' && i.details.runId === runId)).toBe(true);
    const late = await t.request('POST', '/api/jobs/report/run', { body: { reason }, headers: { 'idempotency-key': 'deploy-42' } });
    expect(late.body).toEqual({ runId, job: 'report', state: 'duplicate' });
  });
});
