import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finding failures (docs/adr/0013): the run history's failure signature and text search, and the
 * poll failures read model.
 * - rm_job_runs: `error_signature` (generated from the doc the job_runs projection v2 writes; the
 *   rebuild that version triggers fills it for old runs), an index per signature and per tenant in
 *   list order, one on `retryOf` (a bulk retry skips runs retried already), and a pg_trgm GIN index over error + log tail for `GET /api/runs?q=` (substring,
 *   case-insensitive). The expression must stay the one `src/jobs/run-search.ts` filters on
 *   (RUN_TEXT_SQL), or the planner cannot use the index.
 * - rm_poll_failures: one row per PollFailed (projections/poll-failures).
 * pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
 * database owner may create it, no superuser needed.
 */
export class FailureSignatures1764000000022 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    try {
      await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    } catch (err) {
      throw new Error(
        `could not create the pg_trgm extension (${(err as Error).message}): install PostgreSQL's contrib modules (Debian/Ubuntu: part of the ` +
          'postgresql-NN package; the official Docker image has them) and make the service role the database owner, or have a superuser run ' +
          '"CREATE EXTENSION pg_trgm" in this database once',
      );
    }
    await q.query(`ALTER TABLE rm_job_runs ADD COLUMN error_signature text GENERATED ALWAYS AS (doc->>'errorSignature') STORED`);
    await q.query(`CREATE INDEX rm_job_runs_signature ON rm_job_runs (error_signature, enqueued_at DESC, key DESC) WHERE error_signature IS NOT NULL`);
    await q.query(`CREATE INDEX rm_job_runs_tenant_enqueued ON rm_job_runs (tenant, enqueued_at DESC, key DESC)`);
    // Which failed runs a later run retries already (a bulk retry skips them).
    await q.query(`CREATE INDEX rm_job_runs_retry_of ON rm_job_runs ((doc->>'retryOf')) WHERE doc->>'retryOf' IS NOT NULL`);
    await q.query(
      `CREATE INDEX rm_job_runs_text_trgm ON rm_job_runs USING gin ((coalesce(doc->>'error', '') || ' ' || coalesce(doc->>'logTail', '')) gin_trgm_ops)`,
    );
    await q.query(`
      CREATE TABLE rm_poll_failures (
        key       text PRIMARY KEY,
        doc       jsonb NOT NULL,
        stream_id text,
        revision  bigint,
        target    text GENERATED ALWAYS AS (doc->>'target') STORED,
        tenant    text GENERATED ALWAYS AS (doc->>'tenant') STORED,
        signature text GENERATED ALWAYS AS (doc->>'signature') STORED,
        at        timestamptz GENERATED ALWAYS AS (ol_jobs_ts(doc->>'at')) STORED
      )`);
    await q.query(`CREATE INDEX rm_poll_failures_at ON rm_poll_failures (at)`);
    await q.query(`CREATE INDEX rm_poll_failures_signature ON rm_poll_failures (signature, at)`);
    await q.query(`CREATE INDEX rm_poll_failures_tenant ON rm_poll_failures (tenant, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rm_poll_failures');
    await q.query('DROP INDEX rm_job_runs_text_trgm');
    await q.query('DROP INDEX rm_job_runs_retry_of');
    await q.query('DROP INDEX rm_job_runs_tenant_enqueued');
    await q.query('ALTER TABLE rm_job_runs DROP COLUMN error_signature'); // drops rm_job_runs_signature with it
    // pg_trgm stays: other objects of the database may use it.
  }
}
