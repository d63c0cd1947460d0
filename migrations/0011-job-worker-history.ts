import { MigrationInterface, QueryRunner } from 'typeorm';

/** Workers as their events tell them (projections/job-workers): `?at=` on GET /api/system/workers. */
export class JobWorkerHistory1764000000011 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rm_job_worker_history (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_job_worker_history`);
  }
}
