import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blue/green rebuilds of projections. A rebuild may be requested from any process (HTTP, CLI);
 * the process holding the projection's advisory lock picks it up. The shadow table's progress
 * (`rebuild_checkpoint`) commits with each shadow batch, so a rebuild resumes after a crash.
 */
export class ProjectionRebuilds1764000000002 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE projection_checkpoints
        ADD COLUMN rebuild_requested_at timestamptz,
        ADD COLUMN rebuild_reason       text,
        ADD COLUMN rebuild_started_at   timestamptz,
        ADD COLUMN rebuild_checkpoint   text,
        ADD COLUMN rebuild_position     bigint,
        ADD COLUMN rebuilt_at           timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE projection_checkpoints
        DROP COLUMN rebuild_requested_at, DROP COLUMN rebuild_reason, DROP COLUMN rebuild_started_at,
        DROP COLUMN rebuild_checkpoint, DROP COLUMN rebuild_position, DROP COLUMN rebuilt_at`);
  }
}
