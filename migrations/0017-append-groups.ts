import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grouped appends: `ol_append_group` stores several independent appends (members) in one
 * statement, so one round trip and one commit serve appends that arrived together. Each member
 * is checked at its own expected revision, in argument order, and answers for itself: stored,
 * replayed, a conflict, or a half-stored batch; one member's answer never undoes another's.
 *
 * No subtransaction (a savepoint per member would be one more round of bookkeeping, and more than
 * 64 in one transaction make every snapshot in the cluster slower): a member's rows go in with
 * `ON CONFLICT DO NOTHING`, and a member that did not get all its rows in (an event id already
 * stored, or a concurrent writer took the revision) has the rows it did insert deleted again in
 * the same statement before it is answered (a `taken_back` row tells the caller to disregard the
 * rows answered for it before). A replayed event id is found from that conflict, not
 * by a lookup before every insert. Loose expectations (`any`, `stream_exists`) that lose a race
 * to a concurrent writer try again in place.
 *
 * One row per event: `p_first[m]` and `p_count[m]` say which events are member m's.
 */
export class AppendGroups1764000000017 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ol_append_group(
        p_streams text[], p_kinds text[], p_expected bigint[], p_first integer[], p_count integer[],
        p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_meta jsonb[]
      ) RETURNS TABLE (o_member integer, o_status text, o_position bigint, o_revision bigint, o_event_id uuid, o_tx text, o_recorded_at timestamptz, o_actual bigint)
      LANGUAGE plpgsql
      -- Its statements are index probes and one insert: a generic plan fits every call, while the
      -- planner would otherwise keep making custom plans (the arrays' sizes change the estimates).
      SET plan_cache_mode = force_generic_plan
      AS $$
      DECLARE
        m integer;
        a integer;
        b integer;
        v_current bigint;
        v_found integer;
        v_tries integer;
        v_raced boolean;
        v_rows integer;
      BEGIN
        FOR m IN 1 .. coalesce(cardinality(p_streams), 0) LOOP
          a := p_first[m];
          b := p_first[m] + p_count[m] - 1;
          v_tries := 0;
          LOOP
            SELECT e.revision INTO v_current FROM events e WHERE e.stream_id = p_streams[m] ORDER BY e.revision DESC LIMIT 1;
            v_current := coalesce(v_current, -1);
            IF (p_kinds[m] = 'no_stream' AND v_current <> -1)
               OR (p_kinds[m] = 'stream_exists' AND v_current = -1)
               OR (p_kinds[m] = 'exact' AND v_current <> p_expected[m]) THEN
              v_raced := false;
            ELSE
              v_raced := true;
              RETURN QUERY
                INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
                SELECT p_streams[m], v_current + u.ord, u.id, u.t, u.v, u.d, u.j
                  FROM unnest(p_ids[a:b], p_types[a:b], p_versions[a:b], p_data[a:b], p_meta[a:b]) WITH ORDINALITY AS u(id, t, v, d, j, ord)
                ON CONFLICT DO NOTHING
                RETURNING m, 'stored'::text, events.position, events.revision, events.event_id, events.transaction_id::text, events.recorded_at, NULL::bigint;
              GET DIAGNOSTICS v_rows = ROW_COUNT;
              IF v_rows = p_count[m] THEN
                EXIT;
              END IF;
              -- Not all of it went in: take back what did (this member's revisions past the head it
              -- read), tell the caller to disregard the rows answered above, then say why.
              IF v_rows > 0 THEN
                DELETE FROM events e WHERE e.stream_id = p_streams[m] AND e.revision > v_current AND e.transaction_id = pg_current_xact_id();
                RETURN QUERY SELECT m, 'taken_back'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::text, NULL::timestamptz, NULL::bigint;
              END IF;
            END IF;
            -- A mismatch or a conflict: an idempotent retry of a stored batch, or a real conflict.
            SELECT count(*) INTO v_found FROM events e WHERE e.event_id = ANY(p_ids[a:b]);
            IF v_found = p_count[m] THEN
              RETURN QUERY SELECT m, 'replayed'::text, e.position, e.revision, e.event_id, e.transaction_id::text, e.recorded_at, NULL::bigint
                FROM events e WHERE e.event_id = ANY(p_ids[a:b]) ORDER BY e.revision;
              EXIT;
            ELSIF v_found > 0 THEN
              RETURN QUERY SELECT m, 'partly_stored'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::text, NULL::timestamptz, NULL::bigint;
              EXIT;
            ELSIF v_raced AND p_kinds[m] IN ('any', 'stream_exists') AND v_tries < 20 THEN
              v_tries := v_tries + 1; -- a concurrent writer took the revision: a loose expectation goes again
            ELSE
              SELECT e.revision INTO v_current FROM events e WHERE e.stream_id = p_streams[m] ORDER BY e.revision DESC LIMIT 1;
              RETURN QUERY SELECT m, 'conflict'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::text, NULL::timestamptz, coalesce(v_current, -1);
              EXIT;
            END IF;
          END LOOP;
        END LOOP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ol_append_group(text[], text[], bigint[], integer[], integer[], uuid[], text[], integer[], jsonb[], jsonb[])`);
  }
}
