import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { startTestApp, TestApp } from '../support/test-app';
import { runTs } from './support';

const OTHER_KEY = 'a-different-key-of-another-replica-0123456';

/** The real entry point (src/main.ts) as a second process of an installation. */
const startMain = (env: Record<string, string>) => runTs('src/main.ts', [], { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', ...env }, 60_000);

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('server keys: every process of an installation holds the same keys', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('records a fingerprint of each key, never the key', async () => {
    const { rows } = await t.db.pool.query(`SELECT name, fingerprint FROM server_key_fingerprints ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['AUDIT_CHAIN_KEY', 'TOKEN_HASH_KEY']);
    for (const r of rows) {
      expect(r.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.values(TEST_SERVER_KEYS).some((k) => r.fingerprint.includes(Buffer.from(k).toString('hex')))).toBe(false);
    }
  });

  it.each([
    ['TOKEN_HASH_KEY', { ...TEST_SERVER_KEYS, TOKEN_HASH_KEY: OTHER_KEY }],
    ['AUDIT_CHAIN_KEY', { ...TEST_SERVER_KEYS, AUDIT_CHAIN_KEY: OTHER_KEY }],
  ])('a second process with a different %s refuses to start: exit 1, one line naming the key, nothing appended', async (name, keys) => {
    const count = async () => (await t.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
    const before = await count();
    const r = await startMain({ ...keys, DATABASE_URL: t.db.url });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^opsledger: invalid configuration: ${name}: differs from the key this database was set up with`));
    expect(r.stderr).not.toContain(OTHER_KEY);
    expect(await count()).toBe(before);
    // The first process is untouched and keeps serving with the keys it has.
    expect((await t.request('GET', '/api/auth/whoami')).status).toBe(200);
  });

  it.each(['TOKEN_HASH_KEY', 'AUDIT_CHAIN_KEY'])('with DATABASE_URL, a missing %s stops start-up with one line naming it', async (name) => {
    const keys: Record<string, string> = { ...TEST_SERVER_KEYS };
    delete keys[name];
    const r = await startMain({ ...keys, DATABASE_URL: t.db.url });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^opsledger: invalid configuration: ${name}: is required when DATABASE_URL is set`));
  });

  it('refuses a key too short to be a secret', async () => {
    const r = await startMain({ ...TEST_SERVER_KEYS, TOKEN_HASH_KEY: 'short', DATABASE_URL: t.db.url });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/TOKEN_HASH_KEY: must be at least 32 characters/);
  });
});

describe('server keys of the embedded default', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-keys-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are generated into the data dir (0600) on first use and reused after', async () => {
    const env = { OPSLEDGER_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
    const first = await runTs('src/cli/tokens.cli.ts', ['list'], env, 120_000);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/generated TOKEN_HASH_KEY into .*token-hash\.key: keep a copy/);
    const files = ['token-hash.key', 'audit-chain.key', 'pg-password'].map((f) => path.join(dataDir, 'secrets', f));
    for (const f of files) {
      expect(existsSync(f)).toBe(true);
      expect((statSync(f).mode & 0o777).toString(8)).toBe('600');
    }
    expect((statSync(path.join(dataDir, 'secrets')).mode & 0o777).toString(8)).toBe('700');
    const keys = files.map((f) => readFileSync(f, 'utf8'));
    const second = await runTs('src/cli/tokens.cli.ts', ['list'], env, 120_000);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toMatch(/generated/);
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(keys);
  }, 240_000);
});
