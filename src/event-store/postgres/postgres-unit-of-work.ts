import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { AppendResult, EventMetadata, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import type { ReadStreamsOptions, StreamsQuery } from '../event-filter';
import type { AppendOptions, ReadStreamOptions } from '../event-store.port';
import { ExpectedVersionConflict } from '../expected-version-conflict.error';
import { ArchivedEvent, checkDistinctStreams, SqlSession, StreamAppend, UnitOfWork } from '../unit-of-work';
import { encodeCheckpoint } from './checkpoint';
import { readEventsOn, readStreamsOn } from './event-reads';
import { restoreLog } from './restore-log';
import { collidedRevision, collidedStream } from './unique-violation';
import { upcast } from '../upcasters';

/**
 * Many streams in one statement: the current revision of each stream (one index probe each), the
 * expected-revision check, and the insert only when every stream matches, so a mismatch inserts
 * nothing and the statement answers with the first stream at fault instead. A writer that commits
 * between the check and the insert collides on UNIQUE (stream_id, revision). Events are inserted
 * in argument order (a plain scan of the unnest), so positions follow revisions in each stream.
 */
const APPEND_STREAMS = {
  name: 'ol_append_streams',
  text: `
  WITH a AS (
    SELECT a.ord, a.stream, a.kind, a.expected,
           coalesce((SELECT e.revision FROM events e WHERE e.stream_id = a.stream ORDER BY e.revision DESC LIMIT 1), -1) AS actual
      FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS a(stream, kind, expected, ord)),
  bad AS (
    SELECT a.stream, a.actual FROM a
     WHERE (a.kind = 'no_stream' AND a.actual <> -1) OR (a.kind = 'stream_exists' AND a.actual = -1) OR (a.kind = 'exact' AND a.actual <> a.expected)
     ORDER BY a.ord LIMIT 1),
  heads AS (SELECT array_agg(a.actual ORDER BY a.ord) AS actuals FROM a),
  ins AS (
    INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata)
    SELECT ($1::text[])[u.app], (SELECT h.actuals FROM heads h)[u.app] + u.off, u.id, u.t, u.v, u.d, u.m
      FROM unnest($4::int[], $5::int[], $6::uuid[], $7::text[], $8::int[], $9::jsonb[], $10::jsonb[]) AS u(app, off, id, t, v, d, m)
     WHERE NOT EXISTS (SELECT 1 FROM bad)
    RETURNING events.position, events.revision, events.event_id, events.transaction_id::text AS tx, events.recorded_at)
  SELECT NULL::text AS bad_stream, ins.revision, ins.position, ins.event_id, ins.tx, ins.recorded_at FROM ins
  UNION ALL
  SELECT bad.stream, bad.actual, NULL, NULL, NULL, NULL FROM bad`,
};

/** A unit of work on one pooled connection inside BEGIN … COMMIT (PostgresEventStore.transact). */
export class PostgresUnitOfWork implements UnitOfWork {
  appended = false;
  private finished = false;

  constructor(
    private readonly client: PoolClient,
    /** The store's single-stream append and read, on this unit's connection. */
    private readonly one: Pick<UnitOfWork, 'append' | 'readStream'>,
    /** Folds appended events into the store's inline projections, on this unit's connection. */
    private readonly applyInline: (events: readonly RecordedEvent[], options?: AppendOptions) => Promise<void>,
  ) {}

  get sql(): SqlSession {
    this.check();
    return this.client;
  }

  /** Called by transact when the work is over: later use is a bug (the connection is back in the pool). */
  finish(): void {
    this.finished = true;
  }

  private check(): void {
    if (this.finished) throw new Error('this unit of work has ended: use it only inside its transact callback');
  }

  /** The store's append applies the inline projections itself (it knows which events were replays). */
  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult> {
    this.check();
    const result = await this.one.append(streamId, events, expected, options);
    this.appended = true;
    return result;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.check();
    return this.one.readStream(streamId, options);
  }

  async readStreams(query: StreamsQuery, options?: ReadStreamsOptions): Promise<RecordedEvent[]> {
    this.check();
    return readStreamsOn(this.client, query, options);
  }

  async readEvents(eventIds: readonly string[]): Promise<RecordedEvent[]> {
    this.check();
    return readEventsOn(this.client, eventIds);
  }

  async restore(archive: AsyncIterable<ArchivedEvent>): Promise<number> {
    this.check();
    const n = await restoreLog(this.client, archive);
    if (n) this.appended = true;
    return n;
  }

  async appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]> {
    this.check();
    if (!appends.length) return [];
    if (appends.some((a) => !a.events.length)) throw new Error('appendMany: every stream needs at least one event');
    checkDistinctStreams(appends);
    const occurredAt = new Date().toISOString();
    const [app, off, ids, types, versions, data, meta] = [[], [], [], [], [], [], []] as [number[], number[], string[], string[], number[], string[], string[]];
    const metas: EventMetadata[] = [];
    appends.forEach((a, i) =>
      a.events.forEach((e, k) => {
        const m = { occurredAt, ...e.metadata } as EventMetadata;
        app.push(i + 1);
        off.push(k + 1);
        ids.push(e.eventId ?? randomUUID());
        types.push(e.type);
        versions.push(e.schemaVersion ?? 1);
        data.push(JSON.stringify(e.data ?? null));
        meta.push(JSON.stringify(m));
        metas.push(m);
      }),
    );
    const kinds = appends.map((a) => (typeof a.expected === 'bigint' ? 'exact' : a.expected));
    const expected = appends.map((a) => (typeof a.expected === 'bigint' ? a.expected.toString() : null));
    let rows: { bad_stream: string | null; revision: string; position: string; event_id: string; tx: string; recorded_at: Date }[];
    try {
      ({ rows } = await this.client.query({
        ...APPEND_STREAMS,
        values: [appends.map((a) => a.streamId), kinds, expected, app, off, ids, types, versions, data, meta],
      }));
    } catch (err) {
      const e = err as { code?: string; constraint?: string; detail?: string };
      if (e.code === '23505' && e.constraint === 'events_stream_revision_key') {
        const stream = collidedStream(e.detail) ?? '(one of a multi-stream append)';
        throw new ExpectedVersionConflict(stream, appends.find((a) => a.streamId === stream)?.expected ?? 'any', collidedRevision(e.detail));
      }
      throw err;
    }
    const bad = rows.find((r) => r.bad_stream !== null);
    if (bad) throw new ExpectedVersionConflict(bad.bad_stream!, appends.find((a) => a.streamId === bad.bad_stream)!.expected, BigInt(bad.revision));
    this.appended = true;
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    let n = 0;
    const results = appends.map((a): AppendResult => {
      const recorded = a.events.map((e): RecordedEvent => {
        const i = n++;
        const r = byId.get(ids[i])!;
        const up = upcast(e.type, e.schemaVersion ?? 1, e.data ?? null, metas[i]);
        const position = BigInt(r.position);
        return {
          eventId: ids[i],
          streamId: a.streamId,
          revision: BigInt(r.revision),
          position,
          type: e.type,
          schemaVersion: up.schemaVersion,
          data: up.data,
          metadata: metas[i],
          recordedAt: r.recorded_at,
          checkpoint: encodeCheckpoint(r.tx, position),
        };
      });
      return { nextRevision: recorded[recorded.length - 1].revision, positions: recorded.map((e) => e.position), events: recorded };
    });
    await this.applyInline(
      results.flatMap((r) => r.events),
      options,
    );
    return results;
  }
}
