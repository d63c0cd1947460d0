import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Console sessions: the `sessions` read model (inline; the guard finds a session cookie by the
 * digest generated out of the document) and each session's last request. Activity is a lease-like
 * row, not an event: every request would otherwise append one.
 */
export class ConsoleSessions1764000000019 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_sessions (
        key        text PRIMARY KEY,
        doc        jsonb NOT NULL,
        stream_id  text,
        revision   bigint,
        hash       text GENERATED ALWAYS AS (doc->>'hash') STORED,
        started_at text GENERATED ALWAYS AS (doc->>'startedAt') STORED,
        active     boolean GENERATED ALWAYS AS (doc->>'endedAt' IS NULL) STORED
      )`);
    await q.query(`CREATE UNIQUE INDEX rm_sessions_hash ON rm_sessions (hash)`);
    await q.query(`CREATE INDEX rm_sessions_started_at ON rm_sessions (started_at DESC, key)`);
    await q.query(`CREATE INDEX rm_sessions_active ON rm_sessions (active) WHERE active`);
    await q.query(`CREATE TABLE session_activity (session_id text PRIMARY KEY, last_seen_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE session_activity`);
    await q.query(`DROP TABLE rm_sessions`);
  }
}
