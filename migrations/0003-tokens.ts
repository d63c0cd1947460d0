import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read model of the `tokens` projection (inline: written in the issuing transaction). The guard
 * looks a bearer token up by the hash generated out of the document: unique, so one hash can
 * never name two tokens.
 */
export class Tokens1764000000003 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_tokens (
        key        text PRIMARY KEY,
        doc        jsonb NOT NULL,
        stream_id  text,
        revision   bigint,
        hash       text GENERATED ALWAYS AS (doc->>'hash') STORED,
        issued_at  text GENERATED ALWAYS AS (doc->>'issuedAt') STORED
      )`);
    await q.query(`CREATE UNIQUE INDEX rm_tokens_hash ON rm_tokens (hash)`);
    await q.query(`CREATE INDEX rm_tokens_issued_at ON rm_tokens (issued_at, key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_tokens`);
  }
}
