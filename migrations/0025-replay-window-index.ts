import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `?at=` replay window (ADR 0016): events recorded between a snapshot and T that come after the
 * snapshot's checkpoint in commit order. With commit order in the recorded_at index, both bounds
 * are index conditions, so the rows of the look-back slack before the snapshot are dropped in the
 * index instead of fetched and filtered. It replaces the plain recorded_at index (whose queries it
 * serves by its leading column), so appends keep five indexes.
 */
export class ReplayWindowIndex1764000000025 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_recorded_commit ON events (recorded_at, transaction_id, position)`);
    await q.query(`DROP INDEX events_recorded_at`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_recorded_at ON events (recorded_at)`);
    await q.query(`DROP INDEX events_recorded_commit`);
  }
}
