import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Jobs: the live queue, run history and definitions read models (rows from projections/job-*),
 * plus two lease tables that are deliberately not events (worker heartbeats, idempotency keys).
 * Generated columns expose the fields claiming and the status pages filter and sort on.
 */
export class Jobs1764000000006 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Read models store RFC 3339 strings with a "Z" offset; parsing those does not depend on the
    // session's TimeZone, so the cast is safe to declare immutable for generated columns.
    await q.query(`CREATE FUNCTION ol_jobs_ts(text) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT $1::timestamptz $$`);
    const runColumns = `
        key          text PRIMARY KEY,
        doc          jsonb NOT NULL,
        stream_id    text,
        revision     bigint,
        state        text GENERATED ALWAYS AS (doc->>'state') STORED,
        job          text GENERATED ALWAYS AS (doc->>'job') STORED,
        tenant       text GENERATED ALWAYS AS (doc->>'tenant') STORED,
        worker_id    text GENERATED ALWAYS AS (doc->>'workerId') STORED,
        priority_rank smallint GENERATED ALWAYS AS ((doc->>'priorityRank')::smallint) STORED,
        enqueued_at  timestamptz GENERATED ALWAYS AS (ol_jobs_ts(doc->>'enqueuedAt')) STORED,
        ready_at     timestamptz GENERATED ALWAYS AS (ol_jobs_ts(doc->>'readyAt')) STORED,
        claimed_at   timestamptz GENERATED ALWAYS AS (ol_jobs_ts(doc->>'claimedAt')) STORED,
        finished_at  timestamptz GENERATED ALWAYS AS (ol_jobs_ts(doc->>'finishedAt')) STORED`;
    await q.query(`CREATE TABLE rm_job_queue (${runColumns})`);
    // Claiming: waiting rows by priority then age (partial, so finished rows cost nothing).
    await q.query(`CREATE INDEX rm_job_queue_claim ON rm_job_queue (priority_rank, ready_at) WHERE state IN ('pending', 'retrying')`);
    await q.query(`CREATE INDEX rm_job_queue_worker ON rm_job_queue (worker_id) WHERE state IN ('running', 'cancelling')`);
    await q.query(`CREATE INDEX rm_job_queue_finished ON rm_job_queue (finished_at) WHERE finished_at IS NOT NULL`);

    await q.query(`CREATE TABLE rm_job_runs (${runColumns})`);
    await q.query(`CREATE INDEX rm_job_runs_job_enqueued ON rm_job_runs (job, enqueued_at DESC)`);
    await q.query(`CREATE INDEX rm_job_runs_enqueued ON rm_job_runs (enqueued_at DESC)`);
    await q.query(`CREATE INDEX rm_job_runs_finished ON rm_job_runs (finished_at, job) WHERE finished_at IS NOT NULL`);
    await q.query(`CREATE INDEX rm_job_runs_state ON rm_job_runs (state, enqueued_at DESC)`);

    await q.query(`CREATE TABLE rm_job_definitions (key text PRIMARY KEY, doc jsonb NOT NULL, stream_id text, revision bigint)`);

    await q.query(`
      CREATE TABLE job_workers (
        id          text PRIMARY KEY,
        host        text NOT NULL,
        pid         integer NOT NULL,
        mode        text NOT NULL,
        version     text NOT NULL,
        concurrency integer NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now(),
        last_seen   timestamptz NOT NULL DEFAULT now(),
        processed   bigint NOT NULL DEFAULT 0,
        failed      bigint NOT NULL DEFAULT 0,
        current     jsonb NOT NULL DEFAULT '[]',
        stopped_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE job_idempotency_keys (
        key        text PRIMARY KEY,
        job        text NOT NULL,
        run_id     text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_idempotency_keys_created ON job_idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['job_idempotency_keys', 'job_workers', 'rm_job_definitions', 'rm_job_runs', 'rm_job_queue']) await q.query(`DROP TABLE ${t}`);
    await q.query(`DROP FUNCTION ol_jobs_ts(text)`);
  }
}
