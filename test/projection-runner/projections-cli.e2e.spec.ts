import { execFile } from 'node:child_process';
import path from 'node:path';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { startTestApp, TestApp } from '../support/test-app';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { checkpointRow } from './support';
import { waitFor } from '../support/wait-for';

const ROOT = path.resolve(__dirname, '../..');

/** The CLI as a user runs it: a child process, against DATABASE_URL. */
function cli(db: TestDatabase, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/projections.cli.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...TEST_SERVER_KEYS, DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run projections -- status | rebuild', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const store = new PostgresEventStore(db.pool);
    await store.append(
      'audit-2026-01-01',
      [
        {
          type: 'OperatorActionRecorded',
          data: { action: 'x.y', target: null, reason: 'seed', actor: 'a', role: 'admin', tenant: null, requestId: 'r', clientIp: '' },
        },
      ],
      'any',
    );
    await store.close();
  });
  afterAll(async () => db.drop());

  it('prints the status table of the registered projections (stopped: no service runs)', async () => {
    const r = await cli(db, 'status');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+CHECKPOINT\s+LAG EVENTS\s+LAG SECONDS\s+STATE$/);
    expect(lines.find((l) => /^tokens\s/.test(l))).toMatch(/\sstopped$/);
    // Migrations and whether the deploy has settled (no service runs: the projections are stopped, none failed).
    expect(r.stdout).toMatch(/^migrations: \d+ applied, 0 pending; last run \S+ on \S+ \(applied \d+\)$/m);
    expect(r.stdout).toMatch(/^settled: (yes|no)$/m);
    const json = await cli(db, 'status', '--json');
    expect(JSON.parse(json.stdout).projections.map((p: any) => p.name)).toContain('tokens');
    expect(JSON.parse(json.stdout).migrationStatus).toMatchObject({ pending: [], lastRun: { error: null } });
  }, 120_000);

  it('rebuilds here when no process runs the projection, and is audited', async () => {
    const r = await cli(db, 'rebuild', 'tokens', '--reason', 'cli test');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rebuilt tokens v\d+: \d+ events in [\d.]+ s \(\d+ events\/s\)\n$/);
    const cp = await checkpointRow(db.pool, 'tokens');
    expect(cp.rebuilt_at).not.toBeNull();
    expect(cp.state).toBe('stopped');
    const { rows } = await db.pool.query(`SELECT data FROM events WHERE data->>'action' = 'projection.rebuild'`);
    expect(rows.map((x) => x.data)).toContainEqual(
      expect.objectContaining({ target: 'projection:tokens', reason: 'cli test', actor: expect.stringMatching(/^cli:/) }),
    );
  }, 120_000);

  it('rejects an unknown name', async () => {
    const r = await cli(db, 'rebuild', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no projection named "nope" \(registered: .*tokens/);
  }, 120_000);

  it('asks the running service to rebuild and follows it until the swap', async () => {
    let t: TestApp | null = null;
    try {
      t = await startTestApp({}, db);
      await waitFor('service runs tokens', async () => (await checkpointRow(db.pool, 'tokens'))?.state === 'live');
      const before = (await checkpointRow(db.pool, 'tokens')).rebuilt_at;
      const r = await cli(db, 'rebuild', 'tokens', '--reason', 'delegated');
      expect(r.stderr).toMatch(/another process runs tokens/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/by the running service/);
      expect((await checkpointRow(db.pool, 'tokens')).rebuilt_at.getTime()).toBeGreaterThan(before?.getTime() ?? 0); // null when no earlier test rebuilt it
    } finally {
      await t?.close();
    }
  }, 120_000);
});
