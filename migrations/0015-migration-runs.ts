import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each migration was applied and every migration run (GET /api/system/migrations). Rows of
 * migrations applied before this one keep applied_at null, unless the run that applies this one
 * applied them too (the runner fills in its own run's rows).
 */
export class MigrationRuns1764000000015 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE migrations ADD COLUMN applied_at timestamptz`);
    await q.query(`ALTER TABLE migrations ALTER COLUMN applied_at SET DEFAULT now()`);
    await q.query(`
      CREATE TABLE migration_runs (
        id          bigserial PRIMARY KEY,
        started_at  timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        applied     text[] NOT NULL,
        error       text,
        instance    text NOT NULL
      )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE migration_runs');
    await q.query('ALTER TABLE migrations DROP COLUMN applied_at');
  }
}
