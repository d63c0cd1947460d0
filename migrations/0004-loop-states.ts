import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Heartbeats of the background loops (poll scheduler, job workers, janitor) of every process.
 * Lease rows, not events: they change every few seconds and only "now" matters.
 */
export class LoopStates1764000000004 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE loop_states (
        loop         text        NOT NULL,
        instance_id  text        NOT NULL,
        state        text        NOT NULL,
        interval_ms  integer     NOT NULL,
        last_run_at  timestamptz,
        beat_at      timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz NOT NULL DEFAULT now(),
        detail       jsonb,
        PRIMARY KEY (loop, instance_id)
      )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE loop_states');
  }
}
