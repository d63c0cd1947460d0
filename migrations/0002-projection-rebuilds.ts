import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 1. Blue/green rebuilds of projections. A rebuild may be requested from any process (HTTP, CLI);
 *    the process holding the projection's advisory lock picks it up. The shadow table's progress
 *    (`rebuild_checkpoint`) commits with each shadow batch, so a rebuild resumes after a crash.
 *
 * 2. Appends without NOTIFY in their transaction. PostgreSQL serialises the commits of notifying
 *    transactions on one cluster-wide lock held across the WAL flush, which cost single-event
 *    appends from 16 writers ~5× (docs/performance.md). `ol_append_unnotified` is the append; the
 *    store calls it on its own connections and sends one coalesced NOTIFY after the commit.
 *    `ol_append` (the same plus the in-transaction NOTIFY) stays for appends inside a caller's
 *    transaction, where only the commit can tell subscribers that events are there.
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

    await q.query(appendFunction('ol_append_unnotified', false));
    await q.query(`
      CREATE OR REPLACE FUNCTION ol_append(${PARAMS}) RETURNS TABLE (${RESULT})
      LANGUAGE plpgsql AS $$
      BEGIN
        RETURN QUERY SELECT * FROM ol_append_unnotified(p_stream, p_expected_kind, p_expected, p_ids, p_types, p_versions, p_data, p_meta);
        PERFORM pg_notify('ol_events', '');
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(appendFunction('ol_append', true, 'CREATE OR REPLACE FUNCTION'));
    await q.query(`DROP FUNCTION ol_append_unnotified(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[])`);
    await q.query(`
      ALTER TABLE projection_checkpoints
        DROP COLUMN rebuild_requested_at, DROP COLUMN rebuild_reason, DROP COLUMN rebuild_started_at,
        DROP COLUMN rebuild_checkpoint, DROP COLUMN rebuild_position, DROP COLUMN rebuilt_at`);
  }
}

const PARAMS = `p_stream text, p_expected_kind text, p_expected bigint,
  p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_meta jsonb[]`;
const RESULT = 'o_position bigint, o_revision bigint, o_event_id uuid, o_tx text, o_recorded_at timestamptz, o_replayed boolean';

/**
 * The append of 0001 (one row per event; OL409 with the actual revision as detail on a mismatch;
 * OL422 for a half-stored batch), with or without its NOTIFY.
 */
function appendFunction(name: string, notify: boolean, create = 'CREATE FUNCTION'): string {
  return `
    ${create} ${name}(${PARAMS}) RETURNS TABLE (${RESULT})
    LANGUAGE plpgsql AS $$
    DECLARE
      v_current bigint;
      v_found integer;
    BEGIN
      -- Idempotent retry: the whole batch is stored already.
      SELECT count(*) INTO v_found FROM events e WHERE e.event_id = ANY(p_ids);
      IF v_found > 0 THEN
        IF v_found <> cardinality(p_ids) THEN
          RAISE EXCEPTION 'some events of this batch are stored already, others are not' USING ERRCODE = 'OL422';
        END IF;
        RETURN QUERY SELECT e.position, e.revision, e.event_id, e.transaction_id::text, e.recorded_at, true
          FROM events e WHERE e.event_id = ANY(p_ids) ORDER BY e.revision;
        RETURN;
      END IF;

      SELECT e.revision INTO v_current FROM events e WHERE e.stream_id = p_stream ORDER BY e.revision DESC LIMIT 1;
      v_current := coalesce(v_current, -1);
      IF (p_expected_kind = 'no_stream' AND v_current <> -1)
         OR (p_expected_kind = 'stream_exists' AND v_current = -1)
         OR (p_expected_kind = 'exact' AND v_current <> p_expected) THEN
        RAISE EXCEPTION 'expected version conflict' USING ERRCODE = 'OL409', DETAIL = v_current::text;
      END IF;

      RETURN QUERY
        INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
        SELECT p_stream, v_current + u.ord, u.id, u.t, u.v, u.d, u.m
          FROM unnest(p_ids, p_types, p_versions, p_data, p_meta) WITH ORDINALITY AS u(id, t, v, d, m, ord)
        RETURNING events.position, events.revision, events.event_id, events.transaction_id::text, events.recorded_at, false;
      ${notify ? "PERFORM pg_notify('ol_events', '');" : ''}
    END $$`;
}
