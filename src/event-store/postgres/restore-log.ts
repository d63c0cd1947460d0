import type { SqlSession } from '../unit-of-work';
import { ArchivedEvent, LogNotEmpty } from '../unit-of-work';

const BATCH = 5000;

/**
 * Loads archived events into an empty `events` table inside the caller's transaction, keeping
 * positions (OVERRIDING SYSTEM VALUE); new appends then continue after the highest one.
 */
export async function restoreLog(db: SqlSession, archive: AsyncIterable<ArchivedEvent>): Promise<number> {
  await db.query('LOCK TABLE events IN EXCLUSIVE MODE');
  const { rows: existing } = await db.query<{ n: string }>('SELECT count(*) AS n FROM (SELECT 1 FROM events LIMIT 1) x');
  if (existing[0].n !== '0') throw new LogNotEmpty();
  let pending: ArchivedEvent[] = [];
  let events = 0;
  const flush = async () => {
    if (!pending.length) return;
    await db.query(
      `INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at)
       OVERRIDING SYSTEM VALUE
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[], $9::timestamptz[])`,
      [
        pending.map((e) => e.position.toString()),
        pending.map((e) => e.streamId),
        pending.map((e) => e.revision.toString()),
        pending.map((e) => e.eventId),
        pending.map((e) => e.type),
        pending.map((e) => e.schemaVersion),
        pending.map((e) => JSON.stringify(e.data)),
        pending.map((e) => JSON.stringify(e.metadata)),
        pending.map((e) => e.recordedAt.toISOString()),
      ],
    );
    events += pending.length;
    pending = [];
  };
  for await (const e of archive) {
    pending.push(e);
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  await db.query(`SELECT setval(pg_get_serial_sequence('events', 'position'), GREATEST((SELECT max(position) FROM events), 1))`);
  return events;
}
