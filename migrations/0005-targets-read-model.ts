import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * rm_targets: one row per polling target (projections/targets). The doc is the target's folded
 * state; generated columns expose what the health endpoints and operators filter on.
 */
export class TargetsReadModel1764000000005 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_targets (
        key           text PRIMARY KEY,
        doc           jsonb NOT NULL,
        stream_id     text,
        revision      bigint,
        target_type   text    GENERATED ALWAYS AS (doc->>'type') STORED,
        paused        boolean GENERATED ALWAYS AS ((doc->>'paused')::boolean) STORED,
        breaker_state text    GENERATED ALWAYS AS (doc#>>'{breaker,state}') STORED,
        dead_lettered boolean GENERATED ALWAYS AS (jsonb_typeof(doc->'deadLetter') = 'object') STORED,
        next_due_ms   bigint  GENERATED ALWAYS AS ((doc->>'nextDueMs')::bigint) STORED
      )`);
    await q.query(`CREATE INDEX rm_targets_next_due ON rm_targets (next_due_ms) WHERE NOT paused`);
    await q.query(`CREATE INDEX rm_targets_dead_lettered ON rm_targets (key) WHERE dead_lettered`);
    await q.query(`CREATE INDEX rm_targets_breaker ON rm_targets (breaker_state) WHERE breaker_state <> 'closed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_targets');
  }
}
