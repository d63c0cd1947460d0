import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log. `transaction_id` (xid8) lets readers of the global log stay behind every transaction
 * that is still open, so an event committing late with a lower position is never skipped.
 * `ol_append` does the whole append in one round trip: idempotency by event id, the expected
 * revision check, a multi-row insert and a NOTIFY to wake subscribers.
 */
export class EventStore1764000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id      text        NOT NULL,
        revision       bigint      NOT NULL,
        event_id       uuid        NOT NULL,
        type           text        NOT NULL,
        schema_version integer     NOT NULL DEFAULT 1,
        data           jsonb       NOT NULL,
        metadata       jsonb       NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
      )`);
    await q.query(`CREATE INDEX events_commit_order ON events (transaction_id, position)`);
    await q.query(`CREATE INDEX events_recorded_at ON events (recorded_at)`);

    // Returns one row per appended event. Raises OL409 (detail = actual revision) on a mismatch.
    await q.query(`
      CREATE FUNCTION ol_append(
        p_stream text, p_expected_kind text, p_expected bigint,
        p_ids uuid[], p_types text[], p_versions integer[], p_data jsonb[], p_meta jsonb[]
      ) RETURNS TABLE (o_position bigint, o_revision bigint, o_event_id uuid, o_tx text, o_recorded_at timestamptz, o_replayed boolean)
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
        PERFORM pg_notify('ol_events', '');
      END $$`);

    await q.query(`
      CREATE TABLE projection_checkpoints (
        name             text PRIMARY KEY,
        version          integer     NOT NULL,
        checkpoint       text,
        position         bigint      NOT NULL DEFAULT 0,
        events_processed bigint      NOT NULL DEFAULT 0,
        state            text        NOT NULL DEFAULT 'starting',
        error            text,
        error_at         timestamptz,
        last_event_at    timestamptz,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projection_checkpoints`);
    await q.query(`DROP FUNCTION ol_append`);
    await q.query(`DROP TABLE events`);
  }
}
