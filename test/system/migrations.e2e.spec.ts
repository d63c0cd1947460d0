import { migrations } from '../../migrations';
import { runMigrations } from '../../src/database/migrate';
import { createTestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const status = async (t: TestApp) => {
  const res = await t.request('GET', '/api/system/migrations');
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /api/system/migrations', () => {
  it('lists every migration with applied-at and the last run, and settles once every projection runs its code version', async () => {
    const t = await startTestApp();
    try {
      const s = await waitFor('settled', async () => ((await status(t)).settled ? status(t) : null));
      expect(s.migrations.map((m: { name: string }) => m.name)).toEqual(migrations.map((m) => m.name));
      expect(s.migrations.every((m: { state: string; appliedAt: string | null }) => m.state === 'applied' && m.appliedAt !== null)).toBe(true);
      expect(s.pending).toEqual([]);
      expect(s.lastRun).toMatchObject({ error: null, instance: expect.stringMatching(/:\d+$/) });
      expect(s.projections.find((p: { name: string }) => p.name === 'flags')).toMatchObject({
        version: 1,
        storedVersion: 1,
        settled: true,
        rebuild: { pending: false, running: false },
      });
      // A viewer or operator token may not read it.
      const viewer = (await t.request('POST', '/api/auth/tokens', { body: { name: 'v', role: 'viewer', reason: 'migrations test' } })).body.token;
      expect((await t.request('GET', '/api/system/migrations', { token: viewer })).status).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('a migration not applied yet is pending (not settled) until a migration run applies it, which the status records', async () => {
    const db = await createTestDatabase();
    // This database as a deploy would find it: the new code's migration 0013 not yet run.
    await db.pool.query(`DELETE FROM migrations WHERE name = 'Flags1764000000014'`);
    await db.pool.query('DROP TABLE rm_flags');
    const t = await startTestApp({ PROJECTION_RETRY_MS: '100' }, db);
    try {
      const before = await status(t);
      expect(before.pending).toEqual(['Flags1764000000014']);
      expect(before.settled).toBe(false);
      expect(before.migrations.find((m: { name: string }) => m.name === 'Flags1764000000014')).toEqual({
        name: 'Flags1764000000014',
        timestamp: 1764000000014,
        state: 'pending',
        appliedAt: null,
      });

      expect(await runMigrations(db.url)).toEqual(['Flags1764000000014']);
      const after = await waitFor('settled after the run', async () => ((await status(t)).settled ? status(t) : null));
      expect(after.pending).toEqual([]);
      expect(after.lastRun.applied).toEqual(['Flags1764000000014']);
      expect(Date.parse(after.migrations.find((m: { name: string }) => m.name === 'Flags1764000000014').appliedAt)).toBeGreaterThanOrEqual(
        Date.parse(after.lastRun.startedAt),
      );
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('a projection whose stored version differs from the code has a rebuild pending; the rebuild settles it', async () => {
    const db = await createTestDatabase();
    const t = await startTestApp({ PROJECTIONS_AUTO_REBUILD: 'false' }, db);
    try {
      await waitFor('settled', async () => (await status(t)).settled);
      // As after a deploy whose code bumped the flags projection (auto-rebuild off: it waits for an operator).
      await db.pool.query(`UPDATE projection_checkpoints SET version = 0 WHERE name = 'flags'`);
      const due = await status(t);
      expect(due.settled).toBe(false);
      expect(due.projections.find((p: { name: string }) => p.name === 'flags')).toMatchObject({
        version: 1,
        storedVersion: 0,
        settled: false,
        rebuild: { pending: true },
      });
      expect((await t.request('POST', '/api/projections/flags/rebuild', { body: { reason: 'version bump' } })).status).toBe(202);
      const done = await waitFor('rebuilt and settled', async () => ((await status(t)).settled ? status(t) : null));
      expect(done.projections.find((p: { name: string }) => p.name === 'flags')).toMatchObject({ storedVersion: 1, settled: true });
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
