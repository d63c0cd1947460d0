import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../database/transaction';
import { BACKUP_FORMAT, BackupEvent, BackupHeader, BackupTrailer } from './backup-format';

export class RestoreRefused extends Error {}

/**
 * Loads a backup into an empty, migrated database: events keep their ids, streams, revisions,
 * positions and times, in file (= original commit) order, all in one transaction. The audit chain
 * head is set to the restored chain's last link. Read models are rebuilt afterwards from the log.
 */
export async function restoreEventLog(pool: Pool, file: string, onProgress?: (events: number) => void, batch = 5000): Promise<{ events: number }> {
  // One transaction: a truncated or bad file leaves the database as empty as it was.
  return inTransaction(pool, (client) => restoreInto(client, file, onProgress, batch));
}

async function restoreInto(db: PoolClient, file: string, onProgress: ((events: number) => void) | undefined, batch: number): Promise<{ events: number }> {
  await db.query('LOCK TABLE events IN EXCLUSIVE MODE');
  const { rows: existing } = await db.query<{ n: string }>('SELECT count(*) AS n FROM (SELECT 1 FROM events LIMIT 1) x');
  if (existing[0].n !== '0') throw new RestoreRefused('the database already has events: restore only into an empty database');

  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: BackupHeader | null = null;
  let trailer: BackupTrailer | null = null;
  let pending: BackupEvent[] = [];
  let events = 0;
  const flush = async () => {
    if (!pending.length) return;
    await db.query(
      `INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at)
       OVERRIDING SYSTEM VALUE
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[], $9::timestamptz[])`,
      [
        pending.map((e) => e.position),
        pending.map((e) => e.streamId),
        pending.map((e) => e.revision),
        pending.map((e) => e.eventId),
        pending.map((e) => e.type),
        pending.map((e) => e.schemaVersion),
        pending.map((e) => JSON.stringify(e.data)),
        pending.map((e) => JSON.stringify(e.metadata)),
        pending.map((e) => e.recordedAt),
      ],
    );
    events += pending.length;
    pending = [];
    onProgress?.(events);
  };
  for await (const line of lines) {
    if (!line.trim()) continue;
    const obj = JSON.parse(line);
    if (!header) {
      if (obj.format !== BACKUP_FORMAT) throw new RestoreRefused(`${file} is not an opsledger backup (no "${BACKUP_FORMAT}" header)`);
      header = obj;
      continue;
    }
    if (obj.end) {
      trailer = obj;
      break;
    }
    pending.push(obj);
    if (pending.length >= batch) await flush();
  }
  await flush();
  if (!header) throw new RestoreRefused(`${file} is empty`);
  if (!trailer) throw new RestoreRefused(`${file} is truncated: it has no end line after ${events} events; nothing was restored`);
  if (trailer.events !== events) throw new RestoreRefused(`${file} says ${trailer.events} events but holds ${events}`);

  // New appends continue after the restored positions; the audit chain continues from its last link.
  await db.query(`SELECT setval(pg_get_serial_sequence('events', 'position'), GREATEST((SELECT max(position) FROM events), 1))`);
  await db.query(
    `UPDATE audit_chain_head h SET last_event_id = a.event_id, last_hash = a.data->>'hash', length = a.n
       FROM (SELECT event_id, data, count(*) OVER () AS n FROM events WHERE type = 'OperatorActionRecorded' ORDER BY position DESC LIMIT 1) a
      WHERE h.id = 1`,
  );
  return { events };
}
