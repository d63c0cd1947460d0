import type { Pool } from 'pg';
import type { Checkpoint, RecordedEvent } from '../envelope';
import type { EventFilter, ReadStreamsOptions, StreamsQuery } from '../event-filter';
import type { ReadStreamOptions } from '../event-store.port';
import type { SqlSession } from '../unit-of-work';
import { upcast } from '../upcasters';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { filterSql, SqlValues } from './filter-sql';
import { READ_HORIZON } from './read-horizon.sql';

/** An `events` row as `EVENT_COLUMNS` selects it. */
export interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  transaction_id: string;
}

/** The columns every reader of `events` selects, for `eventFromRow`. */
export const EVENT_COLUMNS = `position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, transaction_id::text AS transaction_id`;

/** Only commits that no open transaction of this database can precede are readable (gap safety). */
const READABLE = `events.transaction_id < ${READ_HORIZON}`;

/**
 * The unfiltered, gap-safe page of the log (subscriptions, the projection runner). ORDER BY names
 * the table's columns: a bare `transaction_id` would bind to the text alias of the select list
 * and sort "1000" before "999".
 */
export const READ_ALL_SQL = `
  SELECT ${EVENT_COLUMNS} FROM events
   WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
     AND ${READABLE}
   ORDER BY events.transaction_id, events.position
   LIMIT $3`;

/** A stored row as the event every reader sees: upcast, with its commit-order checkpoint. */
export function eventFromRow(r: EventRow): RecordedEvent {
  return toEvent(r, false);
}

/** `stored`: data and schemaVersion as written, not upcast. */
export function toEvent(r: EventRow, stored: boolean): RecordedEvent {
  const up = stored ? { schemaVersion: r.schema_version, data: r.data } : upcast(r.type, r.schema_version, r.data, r.metadata);
  const position = BigInt(r.position);
  return {
    eventId: r.event_id,
    streamId: r.stream_id,
    revision: BigInt(r.revision),
    position,
    type: r.type,
    schemaVersion: up.schemaVersion,
    data: up.data,
    metadata: r.metadata as RecordedEvent['metadata'],
    recordedAt: r.recorded_at,
    checkpoint: encodeCheckpoint(r.transaction_id, position),
  };
}

export async function readStreamOn(db: SqlSession, streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`, [
    streamId,
    (options.fromRevision ?? 0n).toString(),
    options.maxCount ?? null,
  ]);
  return rows.map(eventFromRow);
}

/**
 * `readable`: gap-safe, up to the readable head. `committed`: everything the statement's snapshot
 * sees — inside a REPEATABLE READ snapshot a consistent cut, elsewhere possibly ahead of an older
 * transaction that commits later.
 */
export type Horizon = 'readable' | 'committed';

/** A read in commit order after `from`, or (with `from` null) in position order. */
export function orderedSql(order: 'commit' | 'position', from: Checkpoint | null, filter: EventFilter | undefined, horizon: Horizon, v: SqlValues): string {
  const where: string[] = [];
  if (order === 'commit') {
    const { txId, position } = decodeCheckpoint(from);
    where.push(`(events.transaction_id, events.position) > (${v.add(txId, 'xid8')}, ${v.add(position, 'bigint')})`);
  } else if (from) throw new Error('a read in position order does not resume from a checkpoint: narrow it by positions');
  if (horizon === 'readable') where.push(READABLE);
  const f = filterSql(filter, v);
  if (f !== 'TRUE') where.push(f);
  const orderBy = order === 'commit' ? 'events.transaction_id, events.position' : 'events.position';
  return `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.length ? where.join(' AND ') : 'TRUE'} ORDER BY ${orderBy}`;
}

export async function readAllOn(
  db: SqlSession,
  from: Checkpoint | null,
  limit: number,
  filter: EventFilter | undefined,
  horizon: Horizon,
): Promise<RecordedEvent[]> {
  if (!filter && horizon === 'readable') {
    const { txId, position } = decodeCheckpoint(from);
    const { rows } = await db.query<EventRow>(READ_ALL_SQL, [txId, position.toString(), limit]);
    return rows.map(eventFromRow);
  }
  const v = new SqlValues();
  const sql = `${orderedSql('commit', from, filter, horizon, v)} LIMIT ${v.add(BigInt(limit), 'bigint')}`;
  const { rows } = await db.query<EventRow>(sql, v.values);
  return rows.map(eventFromRow);
}

export async function readStreamsOn(db: SqlSession, q: StreamsQuery, options: ReadStreamsOptions = {}): Promise<RecordedEvent[]> {
  if (q.prefix === undefined && !q.ranges?.size) return [];
  const v = new SqlValues();
  const where: string[] = [];
  let join = '';
  if (q.ranges?.size) {
    const ranges = [...q.ranges];
    const streams = v.add(
      ranges.map(([s]) => s),
      'text[]',
    );
    const froms = v.add(
      ranges.map(([, r]) => r.from?.toString() ?? null),
      'bigint[]',
    );
    const befores = v.add(
      ranges.map(([, r]) => r.before?.toString() ?? null),
      'bigint[]',
    );
    // With a prefix, streams without a range are read whole (LEFT JOIN); without, only the listed ones.
    join = `${q.prefix === undefined ? 'JOIN' : 'LEFT JOIN'} unnest(${streams}, ${froms}, ${befores}) AS w(s, f, b) ON w.s = events.stream_id`;
    where.push('events.revision >= COALESCE(w.f, 0)', '(w.b IS NULL OR events.revision < w.b)');
  }
  if (q.prefix !== undefined) where.push(`events.stream_id LIKE ${v.add(`${q.prefix.replace(/[\\%_]/g, '\\$&')}%`, 'text')}`);
  if (options.after) where.push(`(events.stream_id, events.revision) > (${v.add(options.after.streamId, 'text')}, ${v.add(options.after.revision, 'bigint')})`);
  const limit = options.limit === undefined ? '' : ` LIMIT ${v.add(BigInt(options.limit), 'bigint')}`;
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events ${join} WHERE ${where.join(' AND ')} ORDER BY events.stream_id, events.revision${limit}`,
    v.values,
  );
  return rows.map(eventFromRow);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readEventsOn(db: SqlSession, eventIds: readonly string[]): Promise<RecordedEvent[]> {
  // Ids that are not UUIDs cannot be stored (and would fail the cast).
  const ids = [...new Set(eventIds.filter((id) => UUID.test(id)))];
  if (!ids.length) return [];
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY events.transaction_id, events.position`,
    [ids],
  );
  return rows.map(eventFromRow);
}

/**
 * The readable log after `from`, in commit order, at most `limit` events, page by page through one
 * server-side cursor in one REPEATABLE READ snapshot: one query for the whole pass instead of one
 * per page. Events of a type not in `types` come without data and metadata (null and {}): a
 * rebuild needs only their checkpoint, and the server sends their JSON for nothing. Returns the
 * number of events read.
 */
export async function streamReadable(
  pool: Pick<Pool, 'connect'>,
  from: Checkpoint | null,
  options: { readonly limit: number; readonly pageSize: number; readonly types?: readonly string[] },
  onPage: (events: RecordedEvent[]) => Promise<void>,
): Promise<number> {
  const { txId, position } = decodeCheckpoint(from);
  const client = await pool.connect();
  let broken = false;
  const onError = () => (broken = true);
  client.on('error', onError);
  let n = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const wanted = options.types ? 'events.type = ANY($3::text[])' : 'TRUE';
    await client.query(
      `DECLARE ol_stream NO SCROLL CURSOR FOR
       SELECT position, stream_id, revision, event_id, type, schema_version,
              CASE WHEN ${wanted} THEN data END AS data, CASE WHEN ${wanted} THEN metadata END AS metadata,
              recorded_at, transaction_id::text AS transaction_id
         FROM events
        WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint) AND ${READABLE}
        ORDER BY events.transaction_id, events.position
        LIMIT $4`,
      [txId, position.toString(), options.types ?? null, options.limit],
    );
    for (;;) {
      const { rows } = await client.query<EventRow>(`FETCH ${Math.max(1, Math.floor(options.pageSize))} FROM ol_stream`);
      if (!rows.length) break;
      n += rows.length;
      await onPage(rows.map((r) => (r.metadata === null ? lightEvent(r) : eventFromRow(r))));
      if (rows.length < options.pageSize) break;
    }
    await client.query('COMMIT');
    return n;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** An event the reader does not fold: where it stands in the log, nothing of its content. */
function lightEvent(r: EventRow): RecordedEvent {
  const position = BigInt(r.position);
  return {
    eventId: r.event_id,
    streamId: r.stream_id,
    revision: BigInt(r.revision),
    position,
    type: r.type,
    schemaVersion: r.schema_version,
    data: null,
    metadata: {} as RecordedEvent['metadata'],
    recordedAt: r.recorded_at,
    checkpoint: encodeCheckpoint(r.transaction_id, position),
  };
}
