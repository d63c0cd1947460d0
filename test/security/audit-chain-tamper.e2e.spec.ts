import pino from 'pino';
import { GENESIS_HASH, chainMac, legacyChainHash } from '../../src/audit/audit-chain';
import { readChainHead } from '../../src/audit/audit-chain-head';
import { AuditRecorder } from '../../src/audit/audit-recorder';
import { systemOperator } from '../../src/audit/operator-context';
import { auditStream } from '../../src/audit/operator-action-recorded.event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { systemClock } from '../../src/shared/clock';
import { recordAction } from '../support/audit-chain';
import { TEST_KEY_BYTES, TEST_SERVER_KEYS } from '../support/server-keys';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { auditVerify } from './support';

interface Link {
  position: string;
  event_id: string;
  stream_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> & { occurredAt: string };
}

/**
 * Tampering with the audit log in SQL, as someone with write access to the database (but not the
 * server's AUDIT_CHAIN_KEY) would, and what `npm run audit -- verify` says about it.
 */
describe('audit chain: tampering is named by `npm run audit -- verify`', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let recorder: AuditRecorder;
  let ids: string[];

  const links = async () =>
    (
      await db.pool.query<Link>(
        `SELECT position, event_id, stream_id, type, data, metadata FROM events WHERE type = 'OperatorActionRecorded' ORDER BY position`,
      )
    ).rows;
  const record = (i: number, tenant: string | null = null) =>
    recordAction(
      recorder,
      { ...systemOperator(`req-${i}`), actor: `op${i}`, role: 'operator', tenant, clientIp: '10.0.0.7' },
      'job.run',
      `job:j${i}`,
      `reason ${i}`,
      { attempt: i },
    );

  /** Rewrites every link in order with `mac`, keeping the chain consistent (head row included): a full re-hash. */
  async function rehash(mac: (prev: string, l: Link) => { data: Record<string, unknown>; hash: string }) {
    let prev = GENESIS_HASH;
    let last: Link | null = null;
    for (const l of await links()) {
      const { data, hash } = mac(prev, l);
      await db.pool.query(`UPDATE events SET data = $2 WHERE event_id = $1`, [l.event_id, { ...data, prevHash: prev, hash }]);
      prev = hash;
      last = l;
    }
    await db.pool.query(`UPDATE audit_chain_head SET last_hash = $1, last_event_id = $2 WHERE id = 1`, [prev, last!.event_id]);
  }

  beforeEach(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
    recorder = new AuditRecorder(store, systemClock, pino({ level: 'silent' }), TEST_KEY_BYTES);
    for (let i = 1; i <= 5; i++) await record(i, i % 2 ? 'acme' : null);
    ids = (await links()).map((l) => l.event_id);
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it('passes an untouched chain', async () => {
    const r = await auditVerify(db.url);
    expect(r.stdout).toMatch(/audit chain intact: 5 event\(s\) verified/);
    expect(r.code).toBe(0);
  });

  it('names an event whose data was edited', async () => {
    await db.pool.query(`UPDATE events SET data = jsonb_set(data, '{reason}', '"nothing to see"') WHERE event_id = $1`, [ids[2]]);
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`event ${ids[2]} \\(position \\d+\\): content \\(data or metadata\\) does not match its MAC`));
  });

  it('names an event whose metadata (actor) was edited', async () => {
    await db.pool.query(`UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"mallory"') WHERE event_id = $1`, [ids[3]]);
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`event ${ids[3]}`);
    expect(r.stdout).toMatch(/BROKEN: 1 problem/);
  });

  it('names an event whose metadata (tenant) was removed', async () => {
    await db.pool.query(`UPDATE events SET metadata = metadata - 'tenant' WHERE event_id = $1`, [ids[0]]);
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`event ${ids[0]}`);
  });

  it('names the event after a deleted one', async () => {
    await db.pool.query(`DELETE FROM events WHERE event_id = $1`, [ids[1]]);
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`event ${ids[2]}`);
    expect(r.stdout).toContain(`does not follow ${ids[0]}`);
  });

  it('names every link of a chain fully re-hashed with a wrong key', async () => {
    const wrong = Buffer.from('an-attacker-guess-of-the-audit-chain-key');
    await rehash((prev, l) => ({
      data: l.data,
      hash: chainMac(wrong, prev, { eventId: l.event_id, streamId: l.stream_id, type: l.type, data: { ...l.data, prevHash: prev }, metadata: l.metadata }),
    }));
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    for (const id of ids) expect(r.stdout).toContain(`event ${id}`);
  });

  it('names a chain re-hashed into unkeyed (version 1) links, which needs no key', async () => {
    await rehash((prev, l) => {
      const { chain: _c, keyId: _k, sealsLegacyLinks: _s, ...data } = l.data;
      return {
        data,
        hash: legacyChainHash(prev, { eventId: l.event_id, streamId: l.stream_id, occurredAt: l.metadata.occurredAt, data: { ...data, prevHash: prev } }),
      };
    });
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/5 unkeyed link\(s\) and no keyed link sealing them/);
  });

  it('names a chain re-keyed with its own key id claim (a key the verifier was not given)', async () => {
    const other = Buffer.from('another-key-with-its-own-id-0123456789ab');
    await rehash((prev, l) => {
      const data = { ...l.data, keyId: 'feedfacefeedface' };
      return {
        data,
        hash: chainMac(other, prev, { eventId: l.event_id, streamId: l.stream_id, type: l.type, data: { ...data, prevHash: prev }, metadata: l.metadata }),
      };
    });
    const r = await auditVerify(db.url);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/signed with audit key feedfacefeedface, which this check was not given/);
  });

  it('a truncated tail with a consistent head row passes alone, and is named against a head published before', async () => {
    const published = await readChainHead(db.pool);
    // Drop the newest two links and point the head row at the third: the rest is genuinely keyed.
    await db.pool.query(`DELETE FROM events WHERE event_id = ANY($1)`, [[ids[3], ids[4]]]);
    const third = (await links())[2];
    await db.pool.query(`UPDATE audit_chain_head SET last_hash = $1, last_event_id = $2, length = 3 WHERE id = 1`, [third.data.hash, third.event_id]);
    expect((await auditVerify(db.url)).code).toBe(0);
    const r = await auditVerify(db.url, ['--head', `${published.position}:${published.mac}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the chain has 3 link\(s\) but a head at link 5 was published/);
  });

  it('a head published earlier still matches after more actions; a wrong MAC for it is named', async () => {
    const published = await readChainHead(db.pool);
    await record(6);
    expect((await auditVerify(db.url, ['--head', `${published.position}:${published.mac}`])).stdout).toMatch(
      /intact: 6 event\(s\) verified, matching the published head 5/,
    );
    const r = await auditVerify(db.url, ['--head', `${published.position}:${'a'.repeat(64)}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`event ${ids[4]}`);
  });
});

describe('audit chain: links written before AUDIT_CHAIN_KEY', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeEach(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  /** Appends n links exactly as the version before ADR 0007 did (plain SHA-256, no metadata). */
  async function legacyLinks(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const { rows } = await db.pool.query<{ last_hash: string }>('SELECT last_hash FROM audit_chain_head WHERE id = 1');
      const prevHash = rows[0].last_hash;
      const eventId = crypto.randomUUID();
      const occurredAt = new Date().toISOString();
      const streamId = auditStream(new Date(occurredAt));
      const data = {
        action: 'job.run',
        target: `job:old${i}`,
        reason: 'before the upgrade',
        actor: 'alice',
        role: 'operator',
        tenant: null,
        requestId: `old-${i}`,
        clientIp: '10.0.0.1',
        prevHash,
      };
      const hash = legacyChainHash(prevHash, { eventId, streamId, occurredAt, data });
      await store.append(
        streamId,
        [{ type: 'OperatorActionRecorded', eventId, data: { ...data, hash }, metadata: { occurredAt, actor: 'alice', correlationId: `old-${i}` } }],
        'any',
      );
      await db.pool.query('UPDATE audit_chain_head SET last_event_id = $1, last_hash = $2, length = length + 1 WHERE id = 1', [eventId, hash]);
    }
  }

  it('still verify once a keyed link seals them, and the seal is what a rewrite cannot forge', async () => {
    await legacyLinks(3);
    const unsealed = await auditVerify(db.url);
    expect(unsealed.code).toBe(1);
    expect(unsealed.stdout).toMatch(/3 unkeyed link\(s\) and no keyed link sealing them: start opsledger once with AUDIT_CHAIN_KEY/);

    const recorder = new AuditRecorder(store, systemClock, pino({ level: 'silent' }), TEST_KEY_BYTES);
    await recordAction(recorder, systemOperator('new'), 'job.run', 'job:new', 'after the upgrade');
    const { rows } = await db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' ORDER BY position DESC LIMIT 1`);
    expect(rows[0].data).toMatchObject({ chain: 2, sealsLegacyLinks: 3 });
    const sealed = await auditVerify(db.url);
    expect(sealed.stdout).toMatch(/intact: 4 event\(s\) verified \(3 of them unkeyed links/);
    expect(sealed.code).toBe(0);

    // An unkeyed link slipped in after the keyed one (an old process, or a forger) is named.
    await legacyLinks(1);
    const after = await auditVerify(db.url);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/unkeyed \(version 1\) link after keyed ones/);
  });

  it('are sealed by the first start with a key, before any operator acts', async () => {
    await legacyLinks(2);
    // No admin token, no config file: nothing else records an action at start.
    const app = await createApp(
      loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SERVER_KEYS, DATABASE_URL: db.url }),
      db.url,
      pino({ level: 'silent' }),
    );
    await app.init();
    await app.close();
    const { rows } = await db.pool.query(`SELECT data FROM events WHERE type = 'OperatorActionRecorded' ORDER BY position`);
    expect(rows.map((r) => r.data.action)).toEqual(['job.run', 'job.run', 'audit.chain_sealed']);
    expect(rows[2].data).toMatchObject({ actor: 'system', chain: 2, sealsLegacyLinks: 2 });
    const r = await auditVerify(db.url);
    expect(r.stdout).toMatch(/intact: 3 event\(s\) verified \(2 of them unkeyed/);
    expect(r.code).toBe(0);
  });
});
