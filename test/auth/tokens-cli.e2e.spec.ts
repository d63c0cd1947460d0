import { execFile } from 'node:child_process';
import path from 'node:path';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '../..');

/** The CLI as a user runs it: a child process, against DATABASE_URL. */
function cli(db: TestDatabase, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/tokens.cli.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...TEST_SERVER_KEYS, DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run tokens -- issue | list | revoke', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({ AUTH_CACHE_MS: '0' }, db);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('issues a token that the server accepts, lists it, revokes it', async () => {
    const issued = await cli(db, 'issue', '--role', 'operator', '--name', 'ci', '--tenant', 'acme', '--expires', '2099-01-01T00:00:00Z');
    expect(issued.stderr).toMatch(/shown this once/);
    expect(issued.code).toBe(0);
    // stdout is the token and nothing else.
    expect(issued.stdout).toMatch(/^olt_[A-Za-z0-9_-]{43}\n$/);
    const token = issued.stdout.trim();
    const me = await t.request('GET', '/api/auth/whoami', { token });
    expect(me.body).toEqual({ name: 'ci', role: 'operator', tenant: 'acme' });

    const list = await cli(db, 'list', '--json');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { tokenId: string; name: string; status: string; expiresAt: string }[];
    const row = rows.find((r) => r.name === 'ci')!;
    expect(row).toMatchObject({ status: 'active', expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(list.stdout).not.toContain(token);
    const table = await cli(db, 'list');
    expect(table.stdout).toMatch(new RegExp(`${row.tokenId}\\s+ci\\s+operator\\s+acme\\s+active`));

    const revoked = await cli(db, 'revoke', row.tokenId, '--reason', 'rotated');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked token ${row.tokenId} "ci"`);
    expect((await t.request('GET', '/api/auth/whoami', { token })).status).toBe(401);

    // Audited as the CLI user, linked to the token events.
    const { rows: ev } = await db.pool.query(
      `SELECT type, event_id, data, metadata FROM events WHERE stream_id = $1 OR data->'details'->>'tokenId' = $2 ORDER BY position`,
      [`token-${row.tokenId}`, row.tokenId],
    );
    expect(ev.map((e) => e.type)).toEqual(['OperatorActionRecorded', 'TokenIssued', 'OperatorActionRecorded', 'TokenRevoked']);
    expect(ev[0].data.actor).toMatch(/^cli:/);
    expect(ev[3].metadata.causationId).toBe(ev[2].event_id);
  });

  it('rejects bad input with one line naming the field, exit 1, appending nothing', async () => {
    const count = async () => (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
    const before = await count();
    const bad = await cli(db, 'issue', '--role', 'root', '--name', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tokens: role: must be one of viewer, operator, admin$/)]);
    const past = await cli(db, 'issue', '--role', 'viewer', '--name', 'x', '--expires', '2001-01-01T00:00:00Z');
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/^tokens: expiresAt: must be in the future/);
    const unknown = await cli(db, 'revoke', 'no-such-token', '--reason', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no token with id no-such-token/);
    expect(await count()).toBe(before);
  });
});
