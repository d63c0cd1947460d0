import { MigrationInterface, QueryRunner } from 'typeorm';

/** The read model of per-tenant maintenance windows (inline: the request gate reads it right after a change). */
export class Maintenance1764000000020 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_maintenance (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_maintenance');
  }
}
