import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * rm_slo_freshness (projections/slo-freshness): per target its objective and pauses, its successful
 * polls merged into runs (a row per UTC day), and the poll scheduler's pauses. Generated columns
 * let an SLO answer read one target's days of a window without scanning the others.
 */
export class SloFreshness1764000000023 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_slo_freshness (
        key           text PRIMARY KEY,
        doc           jsonb NOT NULL,
        stream_id     text,
        revision      bigint,
        kind          text    GENERATED ALWAYS AS (doc->>'kind') STORED,
        target_key    text    GENERATED ALWAYS AS (doc->>'key') STORED,
        day           text    GENERATED ALWAYS AS (doc->>'day') STORED,
        tenant        text    GENERATED ALWAYS AS (doc->>'tenant') STORED,
        has_objective boolean GENERATED ALWAYS AS (jsonb_typeof(doc->'objective') = 'object') STORED
      )`);
    await q.query(`CREATE INDEX rm_slo_freshness_runs ON rm_slo_freshness (target_key, day) WHERE kind = 'runs'`);
    await q.query(`CREATE INDEX rm_slo_freshness_objectives ON rm_slo_freshness (target_key) WHERE kind = 'target' AND has_objective`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_slo_freshness');
  }
}
