import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-second counters shared by every process (auth failures, webhook delivery failures: things
 * too frequent and too dull to be events, but that alerts count across processes), and the
 * alerts and restore-drill read models.
 */
export class Alerts1764000000009 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE shared_counters (name text NOT NULL, bucket bigint NOT NULL, count bigint NOT NULL, PRIMARY KEY (name, bucket))`);
    await q.query(`CREATE TABLE rm_alerts (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
    await q.query(`CREATE TABLE rm_restore_drills (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_restore_drills');
    await q.query('DROP TABLE rm_alerts');
    await q.query('DROP TABLE shared_counters');
  }
}
