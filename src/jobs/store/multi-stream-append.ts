import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../../event-store/envelope';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { encodeCheckpoint } from '../../event-store/postgres/checkpoint';
import type { Queryable } from '../../event-store/postgres/postgres-event-store';

export interface StreamAppend {
  readonly streamId: string;
  /**
   * 'no_stream' for a new run, else the stream's current revision, read under the run's row lock
   * (the inline queue row, or the events table): never a possibly stale value.
   */
  readonly expected: 'no_stream' | bigint;
  readonly events: readonly EventToAppend[];
}

/**
 * Appends to many run streams in one INSERT. A claim or completion batch touches one stream per
 * run; calling the store's `ol_append` once per stream costs ~4 statements each, which kept the
 * queue at ~0.6× graphile-worker's drain rate. Here the revisions are `expected + 1…` and the
 * events table's UNIQUE (stream_id, revision) is the expected-revision check: if anything else
 * was appended after `expected` (or the stream exists for `no_stream`), the insert collides and
 * the whole transaction fails with ExpectedVersionConflict. Callers pass only exact revisions read
 * under lock, so the "stream is behind `expected`" case ol_append also rejects cannot arise.
 * Same columns, defaults (position, recorded_at, transaction_id) and NOTIFY as the store.
 * Must run inside the caller's transaction.
 */
export async function appendToStreams(db: Queryable, appends: readonly StreamAppend[]): Promise<RecordedEvent[]> {
  if (!appends.length) return [];
  const occurredAt = new Date().toISOString();
  const streams: string[] = [];
  const revisions: string[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const data: string[] = [];
  const meta: string[] = [];
  const metaObjs: EventMetadata[] = [];
  const dataObjs: unknown[] = [];
  for (const a of appends) {
    const base = a.expected === 'no_stream' ? -1n : a.expected;
    a.events.forEach((e, i) => {
      const m = { occurredAt, ...e.metadata } as EventMetadata;
      streams.push(a.streamId);
      revisions.push((base + 1n + BigInt(i)).toString());
      ids.push(e.eventId ?? randomUUID());
      types.push(e.type);
      versions.push(e.schemaVersion ?? 1);
      data.push(JSON.stringify(e.data ?? null));
      meta.push(JSON.stringify(m));
      metaObjs.push(m);
      dataObjs.push(e.data ?? null);
    });
  }
  let rows: { position: string; transaction_id: string; recorded_at: Date }[];
  try {
    ({ rows } = await db.query(
      `WITH ins AS (
         INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])
         RETURNING position, event_id, transaction_id::text AS transaction_id, recorded_at)
       SELECT ins.*, (SELECT pg_notify('ol_events', '')) IS NULL AS notified FROM ins`,
      [streams, revisions, ids, types, versions, data, meta],
    ));
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'events_stream_revision_key') throw new ExpectedVersionConflict('(one of a batch)', 'any', -1n);
    throw err;
  }
  // RETURNING order is the insert order of the unnest rows; map by event id to be safe.
  const byId = new Map((rows as unknown as { event_id: string; position: string; transaction_id: string; recorded_at: Date }[]).map((r) => [r.event_id, r]));
  return ids.map((id, i) => {
    const r = byId.get(id)!;
    const position = BigInt(r.position);
    return {
      eventId: id, streamId: streams[i], revision: BigInt(revisions[i]), position, type: types[i], schemaVersion: versions[i],
      data: dataObjs[i], metadata: metaObjs[i], recordedAt: r.recorded_at, checkpoint: encodeCheckpoint(r.transaction_id, position),
    };
  });
}
