import type { Pool, PoolClient } from 'pg';
import { waitFor } from './wait-for';

type Db = Pick<Pool | PoolClient, 'query'>;

/** One event as the tests read it back from the log. */
export interface LoggedEvent {
  readonly position: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: any;
  readonly metadata: any;
  readonly recordedAt: Date;
}

export interface EventQuery {
  /** One stream, or every stream starting with `streamPrefix`. */
  readonly stream?: string;
  readonly streamPrefix?: string;
  readonly types?: readonly string[];
  /** A further test on each event (data fields, actor, ...). */
  readonly where?: (e: LoggedEvent) => boolean;
}

/** The committed events that match, in log order. */
export async function readEvents(db: Db, q: EventQuery = {}): Promise<LoggedEvent[]> {
  const { rows } = await db.query(
    `SELECT position::text, stream_id, revision::int, type, data, metadata, recorded_at FROM events
      WHERE ($1::text IS NULL OR stream_id = $1) AND ($2::text IS NULL OR starts_with(stream_id, $2)) AND ($3::text[] IS NULL OR type = ANY($3))
      ORDER BY position`,
    [q.stream ?? null, q.streamPrefix ?? null, q.types ? [...q.types] : null],
  );
  const events: LoggedEvent[] = rows.map((r) => ({
    position: r.position,
    streamId: r.stream_id,
    revision: r.revision,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
  }));
  return q.where ? events.filter(q.where) : events;
}

/** Event types of one stream, oldest first. */
export async function streamTypes(db: Db, streamId: string): Promise<string[]> {
  const { rows } = await db.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY revision', [streamId]);
  return rows.map((r) => r.type);
}

/** Waits until the types of one stream satisfy `done` (e.g. include 'BreakerOpened'); returns them. */
export function waitForStream(db: Db, streamId: string, description: string, done: (types: string[]) => boolean, timeoutMs?: number): Promise<string[]> {
  return waitFor(
    `${streamId}: ${description}`,
    async () => {
      const types = await streamTypes(db, streamId);
      if (done(types)) return types;
      throw new Error(`${streamId} holds [${types.join(', ')}]`);
    },
    timeoutMs,
  );
}

/** Waits until at least `count` events match `q` (a fact in the log, not a moment); returns them all. */
export function waitForEvents(db: Db, description: string, q: EventQuery, count = 1, timeoutMs?: number): Promise<LoggedEvent[]> {
  return waitFor(
    description,
    async () => {
      const events = await readEvents(db, q);
      if (events.length >= count) return events;
      throw new Error(`${events.length} of ${count} matching event(s) so far: [${events.map((e) => `${e.streamId}:${e.type}`).join(', ')}]`);
    },
    timeoutMs,
  );
}
