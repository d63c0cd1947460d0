import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { backupEventLog } from '../../src/backup/backup';
import { restoreEventLog } from '../../src/backup/restore';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { createTestDatabase } from '../support/test-database';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { startTestApp, TestApp } from '../support/test-app';
import { waitForProjections } from '../support/wait-for-projections';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** Every read endpoint whose body must come back identical after a restore (audit up to the backup). */
const endpoints = (cut: string) => [`/api/audit?limit=500&to=${encodeURIComponent(cut)}`, '/api/auth/tokens', '/api/rate-limits/overrides', '/api/alerts'];

async function bodies(t: TestApp, cut: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const p of endpoints(cut)) {
    const res = await t.request('GET', p);
    expect(res.status).toBe(200);
    out[p] = res.body;
  }
  return out;
}

describe('backup and restore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-backup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores into a fresh database with identical endpoint bodies, and keeps appending after it', async () => {
    const a = await startTestApp();
    const file = path.join(dir, 'log.ndjson.gz');
    let before: Record<string, unknown>;
    let cut = '';
    try {
      for (const tenant of ['acme', 'globex']) {
        const r = await a.request('POST', '/api/rate-limits/overrides', {
          body: { subject: { tenant }, limit: 2000, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), reason: `backfill ${tenant}` },
        });
        expect(r.status).toBe(201);
      }
      const tok = await a.request('POST', '/api/auth/tokens', { body: { name: 'grafana', role: 'viewer', reason: 'dashboards' } });
      expect(tok.status).toBe(201);
      await waitForProjections(a);
      cut = new Date(Date.now() + 1).toISOString();
      before = await bodies(a, cut);
      const { events } = await backupEventLog(new PostgresEventStore(a.db.pool), file);
      expect(events).toBeGreaterThan(5);
    } finally {
      await a.close();
    }

    const fresh = await createTestDatabase();
    try {
      const { stdout } = await run('node', ['-r', 'ts-node/register/transpile-only', 'src/cli/restore.cli.ts', file, '--drill-owner', 'alice'], {
        cwd: root,
        env: { ...process.env, ...TEST_SERVER_KEYS, DATABASE_URL: fresh.url, LOG_LEVEL: 'silent' },
      });
      expect(stdout).toMatch(/restored \d+ events/);
      expect(stdout).toMatch(/rebuilt audit_log/);
      const b = await startTestApp({ OPSLEDGER_ADMIN_TOKEN: a.adminToken }, fresh);
      try {
        await waitForProjections(b);
        expect(await bodies(b, cut)).toEqual(before!);
        const drills = await b.request('GET', '/api/ops/restore-drills');
        expect(drills.body.items).toEqual([expect.objectContaining({ owner: 'alice', result: 'passed', eventsRestored: expect.any(Number) })]);
        // The log goes on where it stopped: new appends, and the audit chain, continue.
        const r = await b.request('POST', '/api/rate-limits/overrides', {
          body: { subject: { ip: '10.0.0.1' }, limit: 900, expiresAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'after restore' },
        });
        expect(r.status).toBe(201);
        const { verifyTestChain } = await import('../support/audit-chain');
        expect((await verifyTestChain(fresh.pool)).ok).toBe(true);
      } finally {
        await b.close();
      }
    } finally {
      await fresh.drop();
    }
  }, 90_000);

  it('refuses a database that already has events, and a truncated file', async () => {
    const db = await createTestDatabase();
    try {
      await db.pool.query(`INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES ('s', 0, gen_random_uuid(), 'X', '{}', '{}')`);
      await expect(restoreEventLog(new PostgresEventStore(db.pool), path.join(dir, 'log.ndjson.gz'))).rejects.toThrow(/only into an empty database/);
    } finally {
      await db.drop();
    }
    const empty = await createTestDatabase();
    try {
      const { gzipSync } = await import('node:zlib');
      const { writeFileSync } = await import('node:fs');
      const cut = path.join(dir, 'cut.ndjson.gz');
      writeFileSync(
        cut,
        gzipSync(
          '{"format":"opsledger-event-log","version":1}\n{"position":"1","streamId":"s","revision":"0","eventId":"6f0b4c1e-0000-4000-8000-000000000001","type":"X","schemaVersion":1,"data":{},"metadata":{},"recordedAt":"2026-11-25T00:00:00Z"}\n',
        ),
      );
      await expect(restoreEventLog(new PostgresEventStore(empty.pool), cut)).rejects.toThrow(/truncated.*nothing was restored/);
      expect((await empty.pool.query('SELECT count(*) FROM events')).rows[0].count).toBe('0');
    } finally {
      await empty.drop();
    }
  });
});
