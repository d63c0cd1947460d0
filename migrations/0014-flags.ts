import { MigrationInterface, QueryRunner } from 'typeorm';

/** The read model of global feature flags (inline: a change is served by the next read). */
export class Flags1764000000014 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_flags (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_flags');
  }
}
