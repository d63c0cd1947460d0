import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shared request counters (one row per subject per window; every API process adds its counts)
 * and the read model of audited, auto-expiring overrides.
 */
export class RateLimits1764000000008 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_counters (
        subject      text    NOT NULL,
        window_start bigint  NOT NULL,
        count        integer NOT NULL,
        PRIMARY KEY (subject, window_start)
      )`);
    await q.query(`
      CREATE TABLE rm_rate_limit_overrides (
        key        text PRIMARY KEY,
        doc        jsonb NOT NULL,
        stream_id  text,
        revision   bigint,
        expires_at timestamptz GENERATED ALWAYS AS (to_timestamp((doc->>'expiresAtEpochMs')::double precision / 1000)) STORED,
        revoked    boolean GENERATED ALWAYS AS (doc->>'revokedAt' IS NOT NULL) STORED
      )`);
    await q.query(`CREATE INDEX rm_rate_limit_overrides_active ON rm_rate_limit_overrides (expires_at) WHERE NOT revoked`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_rate_limit_overrides');
    await q.query('DROP TABLE rate_limit_counters');
  }
}
