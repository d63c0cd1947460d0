import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Generated timestamp columns read epoch milliseconds: casting ISO text to timestamptz is not
 * immutable (it depends on the session time zone), and generated columns must be.
 *
 * The audit hash chain's head (one row, locked by each audit append so the chain is linear
 * across processes), an index to walk the chain, and the audit-log read model.
 */
export class Audit1764000000007 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE audit_chain_head (id smallint PRIMARY KEY CHECK (id = 1), last_event_id uuid, last_hash text NOT NULL, length bigint NOT NULL DEFAULT 0)`,
    );
    await q.query(`INSERT INTO audit_chain_head (id, last_hash) VALUES (1, '${'0'.repeat(64)}')`);
    await q.query(`CREATE INDEX events_audit_chain ON events (position) WHERE type = 'OperatorActionRecorded'`);
    await q.query(`
      CREATE TABLE rm_audit_log (
        key       text PRIMARY KEY,
        doc       jsonb NOT NULL,
        stream_id text,
        revision  bigint,
        at        timestamptz GENERATED ALWAYS AS (to_timestamp((doc->>'atEpochMs')::double precision / 1000)) STORED,
        actor     text GENERATED ALWAYS AS (doc->>'actor') STORED,
        action    text GENERATED ALWAYS AS (doc->>'action') STORED,
        target    text GENERATED ALWAYS AS (doc->>'target') STORED,
        tenant    text GENERATED ALWAYS AS (doc->>'tenant') STORED
      )`);
    await q.query(`CREATE INDEX rm_audit_log_at ON rm_audit_log (at DESC, key DESC)`);
    await q.query(`CREATE INDEX rm_audit_log_actor ON rm_audit_log (actor, at DESC)`);
    await q.query(`CREATE INDEX rm_audit_log_target ON rm_audit_log (target, at DESC)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_audit_log');
    await q.query('DROP INDEX events_audit_chain');
    await q.query('DROP TABLE audit_chain_head');
  }
}
