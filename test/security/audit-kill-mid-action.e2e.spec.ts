import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { waitFor } from '../support/wait-for';
import { freePort } from '../support/free-port';
import { MainProcess } from '../support/main-process';
import { TEST_EGRESS_ALLOW } from '../support/test-egress';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { verifyTestChain } from '../support/audit-chain';

/**
 * kill -9 of a real server process in the middle of an operator action leaves neither the audit
 * entry nor the effect. Deterministic without any test hook in the service: the test holds an
 * uncommitted append at the target's next revision, so the server's poll-now waits inside its
 * unit of work (chain head locked, entry written, effect append blocked); then the process is
 * killed. Its transaction can never commit.
 */
describe('audit: kill -9 in the middle of an operator action', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let child: MainProcess | null = null;
  const token = `olt_${randomBytes(24).toString('base64url')}`;
  const key = 'instance::kill-1';
  const stream = `target-${key}`;
  let url = '';

  beforeAll(async () => {
    db = await createTestDatabase(4);
    store = new PostgresEventStore(db.pool);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The real entry point (server keys added by MainProcess), as `npm start` runs it.
    child = new MainProcess({
      DATABASE_URL: db.url,
      APP_MODE: 'server',
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      OPSLEDGER_ADMIN_TOKEN: token,
      RATE_LIMIT_PER_MINUTE: '0',
      EGRESS_ALLOW: TEST_EGRESS_ALLOW,
    });
    await waitFor(
      'the server answers',
      () =>
        fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      200,
    ).catch((err) => {
      throw new Error(`${err.message}; server output:\n${child!.output}`);
    });
  }, 90_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await child?.exited;
    await store?.close();
    await db?.drop();
  });

  const call = (method: string, p: string, body: unknown) =>
    fetch(url + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('the killed action leaves neither its entry nor its effect, and the chain still verifies', async () => {
    expect(
      (await call('POST', '/api/targets', { type: 'instance', name: 'kill-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/x' }, reason: 'setup' })).status,
    ).toBe(201);
    const reason = 'poll-now killed mid-action';
    const head = (await store.readStream(stream)).length - 1;
    const holder: PoolClient = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await store.appendWith(holder, stream, [{ type: 'PollRequested', data: { key, at: new Date().toISOString() } }], BigInt(head));
      void call('POST', `/api/targets/${key}/poll-now`, { reason }).catch(() => undefined); // its connection dies with the server
      const backend = await waitFor(
        'the server waits on the held revision',
        async () =>
          (await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ol_append%'`))
            .rows[0]?.pid as number | undefined,
      );
      // Mid-action: its unit holds the audit chain head (taken first, released only by commit or rollback).
      const chainHead = await db.pool.query('SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE NOWAIT').catch((e) => e);
      expect(chainHead.code).toBe('55P03'); // lock_not_available

      child!.kill('SIGKILL');
      await child!.exited;
      // Let the server's statement finish: its backend then finds the client gone and rolls back.
      await holder.query('ROLLBACK');
      await waitFor(
        "the killed server's backend is gone",
        async () => (await db.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend])).rowCount === 0,
        30_000,
      );
    } finally {
      holder.release();
    }
    expect((await db.pool.query(`SELECT 1 FROM events WHERE type = 'OperatorActionRecorded' AND data->>'reason' = $1`, [reason])).rowCount).toBe(0);
    expect((await db.pool.query(`SELECT 1 FROM events WHERE stream_id = $1 AND type = 'PollRequested'`, [stream])).rowCount).toBe(0);
    const report = await verifyTestChain(db.pool);
    expect(report).toMatchObject({ ok: true, checked: 2 }); // the bootstrap token's issue and the registration
  }, 90_000);
});
