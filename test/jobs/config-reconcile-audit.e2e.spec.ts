import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp } from '../support/test-app';

describe('job definitions reconciled at start are audited', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records one config.reconcile action and links each JobDefined to it', async () => {
    const file = path.join(dir, 'opsledger.yaml');
    writeFileSync(
      file,
      'jobs:\n  - name: nightly-report\n    schedule: "0 0 2 * * *"\n    handler: { kind: http, url: "http://127.0.0.1:9/report" }\n  - name: adhoc\n    schedule: on-demand\n    handler: { kind: http, url: "http://127.0.0.1:9/adhoc" }\n',
    );
    const t = await startTestApp({ OPSLEDGER_CONFIG: file, WORKER_CONCURRENCY: '0' });
    try {
      const audits = await t.db.pool.query(
        `SELECT event_id, data FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'config.reconcile' AND data->>'target' = 'jobs'`,
      );
      expect(audits.rows).toHaveLength(1);
      expect(audits.rows[0].data.details.changes).toEqual(
        expect.arrayContaining([
          { job: 'nightly-report', change: 'JobDefined' },
          { job: 'adhoc', change: 'JobDefined' },
        ]),
      );
      const defined = await t.db.pool.query(`SELECT metadata FROM events WHERE type = 'JobDefined'`);
      expect(defined.rows.map((r) => r.metadata.causationId)).toEqual([audits.rows[0].event_id, audits.rows[0].event_id]);
    } finally {
      await t.close();
    }
  });

  it('a restart with the same definitions changes nothing and records nothing (stored rows compare by content, not key order)', async () => {
    const file = path.join(dir, 'restart.yaml');
    writeFileSync(
      file,
      'jobs:\n  - name: nightly\n    schedule: "0 0 2 * * *"\n    maxAttempts: 3\n    backoff: { kind: fixed, base: 200 }\n    handler: { kind: http, method: POST, url: "http://127.0.0.1:9/report" }\n',
    );
    const first = await startTestApp({ OPSLEDGER_CONFIG: file, WORKER_CONCURRENCY: '0' });
    const db = first.db;
    await first.app.close();
    const again = await startTestApp({ OPSLEDGER_CONFIG: file, WORKER_CONCURRENCY: '0' }, db);
    try {
      const { rows } = await db.pool.query(
        `SELECT type FROM events WHERE stream_id LIKE 'jobdef-%' OR (type = 'OperatorActionRecorded' AND data->>'action' = 'config.reconcile') ORDER BY position`,
      );
      expect(rows.map((r) => r.type)).toEqual(['OperatorActionRecorded', 'JobDefined']);
    } finally {
      await again.close();
      await db.drop();
    }
  });
});
