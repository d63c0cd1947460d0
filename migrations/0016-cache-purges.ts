import { MigrationInterface, QueryRunner } from 'typeorm';

/** The read model of cache purges (inline: a start answers with its row). */
export class CachePurges1764000000016 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_cache_purges (
        key        text PRIMARY KEY,
        doc        jsonb NOT NULL,
        stream_id  text,
        revision   bigint,
        cache      text GENERATED ALWAYS AS (doc->>'cache') STORED,
        started_at text GENERATED ALWAYS AS (doc->>'startedAt') STORED
      )`);
    await q.query('CREATE INDEX rm_cache_purges_by_cache ON rm_cache_purges (cache, started_at DESC)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_cache_purges');
  }
}
