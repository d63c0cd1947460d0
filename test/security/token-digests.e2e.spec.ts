import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { bootstrapTokenId } from '../../src/auth/token-bootstrap';
import { TokenRepository } from '../../src/auth/token-repository';
import { rekeyedDigest, tokenDigest } from '../../src/auth/token-secret';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { TEST_KEY_BYTES, TEST_SERVER_KEYS } from '../support/server-keys';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { runTs } from './support';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

class MemoryLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

/**
 * An installation upgraded from a version that stored bare SHA-256 token hashes: a bootstrap
 * admin (OPSLEDGER_ADMIN_TOKEN, user-chosen) and an issued viewer token, written exactly as that
 * version wrote them. After the upgrade both still work, and no API, CLI or log shows a digest.
 */
describe('token digests never leave the service', () => {
  const adminValue = 'user-chosen-admin-token-16+';
  const legacyViewer = `olt_${'L'.repeat(43)}`;
  const log = new MemoryLog();
  let db: TestDatabase;
  let t: TestApp;
  let viewer: string;
  let from: string;

  /** Every digest the database holds for a token, the bare SHA-256s the old version stored, and the secrets. */
  async function secrets(): Promise<string[]> {
    const { rows } = await db.pool.query<{ hash: string }>(
      `SELECT hash FROM rm_tokens UNION SELECT data->>'hash' FROM events WHERE stream_id LIKE 'token-%' AND data ? 'hash'`,
    );
    return [...rows.map((r) => r.hash), sha256(adminValue), sha256(legacyViewer), sha256(viewer), adminValue, legacyViewer, viewer];
  }
  const expectNone = async (text: string) => {
    for (const s of await secrets()) expect(text).not.toContain(s);
  };

  beforeAll(async () => {
    from = new Date(Date.now() - 60_000).toISOString();
    db = await createTestDatabase(30);
    const store = new PostgresEventStore(db.pool);
    const tokens = new TokenRepository(store, db.pool);
    const legacy = (tokenId: string, name: string, role: string, secret: string) =>
      store.transact((uow) =>
        tokens.appendIn(
          uow,
          tokenId,
          [
            {
              type: 'TokenIssued',
              data: { tokenId, name, role: role as 'admin', tenant: null, hash: sha256(secret), issuedAt: new Date().toISOString(), expiresAt: null },
            },
          ],
          'no_stream',
          { actor: 'system' },
        ),
      );
    await legacy(bootstrapTokenId(sha256(adminValue)), 'bootstrap-admin', 'admin', adminValue); // the id the old version derived
    await legacy('0b8a1f52-3a0c-4c49-9d52-5b4c3f1e2d10', 'old-grafana', 'viewer', legacyViewer);
    await store.close();

    t = await startTestApp({ OPSLEDGER_ADMIN_TOKEN: adminValue, LOG_LEVEL: 'trace' }, db, { logDestination: log });
    const issued = await t.request('POST', '/api/auth/tokens', { body: { name: 'reader', role: 'viewer', reason: 'digest test' } });
    expect(issued.status).toBe(201);
    viewer = issued.body.token;
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('keeps tokens issued before the upgrade working, stored as keyed digests only', async () => {
    expect((await t.request('GET', '/api/auth/whoami', { token: adminValue })).body).toEqual({ name: 'bootstrap-admin', role: 'admin', tenant: null });
    expect((await t.request('GET', '/api/auth/whoami', { token: legacyViewer })).body).toEqual({ name: 'old-grafana', role: 'viewer', tenant: null });
    const { rows } = await db.pool.query(`SELECT doc FROM rm_tokens ORDER BY issued_at`);
    expect(rows.map((r) => r.doc.hash).sort()).toEqual(
      [
        rekeyedDigest(TEST_KEY_BYTES.tokenHash, sha256(adminValue)),
        rekeyedDigest(TEST_KEY_BYTES.tokenHash, sha256(legacyViewer)),
        tokenDigest(TEST_KEY_BYTES.tokenHash, viewer),
      ].sort(),
    );
    expect(rows.every((r) => r.doc.hashScheme === 'hmac-sha256')).toBe(true);
    // The same admin value did not make a second bootstrap token.
    const issued = await db.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'TokenIssued' AND data->>'name' = 'bootstrap-admin'`);
    expect(issued.rows[0].n).toBe(1);
  });

  it('the timeline shows token events to a viewer without any digest (JSON and NDJSON)', async () => {
    const q = `/api/timeline?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}&types=TokenIssued,TokenHashRekeyed,TokenRevoked`;
    const json = await t.request('GET', q, { token: viewer });
    expect(json.status).toBe(200);
    expect(json.body.items.map((i: { type: string }) => i.type).sort()).toEqual([
      'TokenHashRekeyed',
      'TokenHashRekeyed',
      'TokenIssued',
      'TokenIssued',
      'TokenIssued',
    ]);
    for (const item of json.body.items) expect(item.data).not.toHaveProperty('hash');
    expect(json.body.items.find((i: { data: { name?: string } }) => i.data.name === 'reader').data).toMatchObject({
      name: 'reader',
      role: 'viewer',
      hashScheme: 'hmac-sha256',
    });
    await expectNone(JSON.stringify(json.body));
    const ndjson = await fetch(`${t.url}${q}&format=ndjson`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(ndjson.status).toBe(200);
    const text = await ndjson.text();
    expect(text.trim().split('\n')).toHaveLength(5);
    await expectNone(text);
  });

  it('the audit log, the token list and /metrics show none', async () => {
    for (const path of ['/api/audit?limit=500', '/api/auth/tokens', '/metrics']) {
      const r = await fetch(t.url + path, { headers: { authorization: `Bearer ${adminValue}` } });
      expect(r.status).toBe(200);
      await expectNone(await r.text());
    }
  });

  it('`npm run tokens -- list` and `npm run projections -- status` print none', async () => {
    const env = { ...TEST_SERVER_KEYS, DATABASE_URL: db.url };
    for (const args of [['list'], ['list', '--json']]) {
      const r = await runTs('src/cli/tokens.cli.ts', args, env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('old-grafana');
      await expectNone(r.stdout + r.stderr);
    }
    const status = await runTs('src/cli/projections.cli.ts', ['status', '--json'], env);
    expect(status.code).toBe(0);
    await expectNone(status.stdout + status.stderr);
  }, 180_000);

  it('no log line carries a digest or a secret', async () => {
    expect(log.text).toContain('auth.token_hashes_rekeyed');
    await expectNone(log.text);
  });
});
