import { MigrationInterface, QueryRunner } from 'typeorm';

/** Operators' pauses of one job, one target, or every job or target of a tenant (projections/pauses, inline). */
export class Pauses1764000000021 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_pauses (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_pauses`);
  }
}
