import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Copies of read-model tables at a checkpoint, so "what did this endpoint say at T" folds only
 * the events after the nearest snapshot before T instead of the whole log.
 */
export class ProjectionSnapshots1764000000010 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projection_snapshots (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name          text        NOT NULL,
        version       integer     NOT NULL,
        checkpoint    text        NOT NULL,
        position      bigint      NOT NULL,
        last_event_at timestamptz NOT NULL,
        taken_at      timestamptz NOT NULL DEFAULT now(),
        row_count     integer     NOT NULL,
        rows          bytea       NOT NULL
      )`);
    await q.query(`CREATE INDEX projection_snapshots_lookup ON projection_snapshots (name, version, last_event_at DESC)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE projection_snapshots');
  }
}
