import type { PoolClient } from 'pg';
import pino from 'pino';
import { AuditRecorder } from '../../src/audit/audit-recorder';
import { systemOperator } from '../../src/audit/operator-context';
import { ConfigError } from '../../src/config/env-var';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { checkKeyFingerprints, keyFingerprint } from '../../src/secrets/key-fingerprints';
import { systemClock } from '../../src/shared/clock';
import { recordAction } from '../support/audit-chain';
import { TEST_AUDIT_CHAIN_KEY, TEST_KEY_BYTES, TEST_SERVER_KEYS } from '../support/server-keys';
import { startTestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { auditVerify, runTs } from './support';

const NEW_KEY = 'the-next-key-after-a-rotation-0123456789';

/** docs/operations.md, "Rotating a key", as an operator follows it. */
describe('rotating a key', () => {
  let db: TestDatabase;
  beforeEach(async () => (db = await createTestDatabase()));
  afterEach(async () => db.drop());

  it('AUDIT_CHAIN_KEY: a rotation link hands the chain over; verify needs the old key for the links before it', async () => {
    const store = new PostgresEventStore(db.pool);
    const record = (keys: { auditChain: Buffer }, i: number) =>
      recordAction(new AuditRecorder(store, systemClock, pino({ level: 'silent' }), keys), systemOperator(`r${i}`), 'job.run', `job:j${i}`, `reason ${i}`);
    try {
      for (let i = 0; i < 3; i++) await record(TEST_KEY_BYTES, i);
      await checkKeyFingerprints(db.pool, { auditChain: TEST_KEY_BYTES.auditChain });
      const rotated = await runTs('src/cli/audit.cli.ts', ['rotate-key', '--reason', 'yearly rotation'], {
        DATABASE_URL: db.url,
        AUDIT_CHAIN_KEY: TEST_AUDIT_CHAIN_KEY,
        AUDIT_CHAIN_NEW_KEY: NEW_KEY,
      });
      expect(rotated.stderr).toBe('');
      expect(rotated.code).toBe(0);
      expect(rotated.stdout).toMatch(/rotated AUDIT_CHAIN_KEY \(rotation link [0-9a-f-]{36}\)/);
      await record({ auditChain: Buffer.from(NEW_KEY) }, 9);

      // The database now expects the new key: a process with the old one stops.
      await expect(checkKeyFingerprints(db.pool, { auditChain: TEST_KEY_BYTES.auditChain })).rejects.toThrow(ConfigError);
      await checkKeyFingerprints(db.pool, { auditChain: Buffer.from(NEW_KEY) });

      const both = await auditVerify(db.url, [], { AUDIT_CHAIN_KEY: NEW_KEY, AUDIT_CHAIN_PREVIOUS_KEYS: TEST_AUDIT_CHAIN_KEY });
      expect(both.stdout).toMatch(/intact: 5 event\(s\) verified/);
      expect(both.code).toBe(0);
      const newOnly = await auditVerify(db.url, [], { AUDIT_CHAIN_KEY: NEW_KEY });
      expect(newOnly.code).toBe(1);
      expect(newOnly.stdout).toMatch(/BROKEN: 3 problem\(s\)/);
      expect(newOnly.stdout).toMatch(/which this check was not given/);

      // A link signed by the old key after the rotation (a process that kept it) is named.
      await record(TEST_KEY_BYTES, 10);
      const stale = await auditVerify(db.url, [], { AUDIT_CHAIN_KEY: NEW_KEY, AUDIT_CHAIN_PREVIOUS_KEYS: TEST_AUDIT_CHAIN_KEY });
      expect(stale.code).toBe(1);
      expect(stale.stdout).toMatch(/switches from audit key [0-9a-f]{16} to [0-9a-f]{16} without a rotation link/);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('TOKEN_HASH_KEY: a rotation that fails midway changes nothing (entry, revocations and fingerprint are one unit)', async () => {
    const admin = 'olt_rotation-admin-value-fedcba9876543210';
    const first = await startTestApp({ OPSLEDGER_ADMIN_TOKEN: admin }, db);
    const issued = await first.request('POST', '/api/auth/tokens', { body: { name: 'ci', role: 'operator', reason: 'before rotation' } });
    expect(issued.status).toBe(201);
    await first.close();

    // Hold an uncommitted append at the next revision of the last token the rotation revokes: its
    // unit (entry written, the first token's revocation appended) waits there, then conflicts.
    const store = new PostgresEventStore(db.pool);
    const stream = `token-${issued.body.tokenId}`;
    const holder: PoolClient = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await store.appendWith(holder, stream, [{ type: 'TokenRevoked', data: { tokenId: issued.body.tokenId, reason: 'revoked by the test meanwhile' } }], 0n);
      const rotation = runTs('src/cli/tokens.cli.ts', ['rotate-key', '--reason', 'interrupted', '--yes'], {
        ...TEST_SERVER_KEYS,
        TOKEN_HASH_KEY: NEW_KEY,
        DATABASE_URL: db.url,
      });
      await waitFor(
        'the rotation waits on the held revision',
        async () =>
          (await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ol_append%'`))
            .rowCount! > 0,
        60_000,
      );
      await holder.query('COMMIT');
      const failed = await rotation;
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toMatch(new RegExp(`stream ${stream}: expected revision 0, actual 1`));
    } finally {
      holder.release();
      await store.close();
    }

    const revoked = await db.pool.query(`SELECT stream_id FROM events WHERE type = 'TokenRevoked'`);
    expect(revoked.rows.map((r) => r.stream_id)).toEqual([stream]); // only the test's own
    expect((await db.pool.query(`SELECT 1 FROM events WHERE type = 'OperatorActionRecorded' AND data->>'action' = 'token.key_rotated'`)).rowCount).toBe(0);
    const { rows } = await db.pool.query(`SELECT fingerprint FROM server_key_fingerprints WHERE name = 'TOKEN_HASH_KEY'`);
    expect(rows[0].fingerprint).toBe(keyFingerprint(TEST_KEY_BYTES.tokenHash));
    const again = await startTestApp({ OPSLEDGER_ADMIN_TOKEN: admin }, db);
    try {
      expect((await again.request('GET', '/api/auth/whoami', { token: admin })).body).toEqual({ name: 'bootstrap-admin', role: 'admin', tenant: null });
    } finally {
      await again.close();
    }
  }, 180_000);

  it('TOKEN_HASH_KEY: every token is revoked, the admin token comes back at start, and the old key is refused', async () => {
    const admin = 'olt_rotation-admin-value-0123456789abcdef';
    const first = await startTestApp({ OPSLEDGER_ADMIN_TOKEN: admin }, db);
    const issued = await first.request('POST', '/api/auth/tokens', { body: { name: 'ci', role: 'operator', reason: 'before rotation' } });
    expect(issued.status).toBe(201);
    await first.close();

    const env = { ...TEST_SERVER_KEYS, TOKEN_HASH_KEY: NEW_KEY, DATABASE_URL: db.url };
    const unconfirmed = await runTs('src/cli/tokens.cli.ts', ['rotate-key', '--reason', 'leaked backup'], env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/^tokens: rotate-key revokes every token .* add --yes/);
    const rotated = await runTs('src/cli/tokens.cli.ts', ['rotate-key', '--reason', 'leaked backup', '--yes'], env);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/revoked 2 token\(s\)/);
    const again = await runTs('src/cli/tokens.cli.ts', ['rotate-key', '--reason', 'twice', '--yes'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/TOKEN_HASH_KEY: is already the key this database uses/);

    await expect(startTestApp({ OPSLEDGER_ADMIN_TOKEN: admin }, db)).rejects.toThrow(/TOKEN_HASH_KEY: differs from the key this database was set up with/);
    const second = await startTestApp({ OPSLEDGER_ADMIN_TOKEN: admin, TOKEN_HASH_KEY: NEW_KEY }, db);
    try {
      expect((await second.request('GET', '/api/auth/whoami', { token: admin })).body).toEqual({ name: 'bootstrap-admin', role: 'admin', tenant: null });
      expect((await second.request('GET', '/api/auth/whoami', { token: issued.body.token })).status).toBe(401);
      const list = await second.request('GET', '/api/auth/tokens');
      expect(list.body.tokens.map((t: { name: string; status: string }) => `${t.name}:${t.status}`)).toEqual([
        'bootstrap-admin:revoked',
        'ci:revoked',
        'bootstrap-admin:active',
      ]);
      const audit = await second.request('GET', '/api/audit?action=token.key_rotated');
      expect(audit.body.items).toEqual([expect.objectContaining({ reason: 'leaked backup', details: { revoked: 2 } })]);
    } finally {
      await second.close();
    }
  }, 180_000);
});
