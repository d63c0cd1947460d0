import { MigrationInterface, QueryRunner } from 'typeorm';

/** Operators' pauses of the whole job worker / poll scheduler (projections/loop-pauses, inline). */
export class LoopPauses1764000000013 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_loop_pauses (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_loop_pauses`);
  }
}
