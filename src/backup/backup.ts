import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Pool } from 'pg';
import { APP_VERSION } from '../shared/version';
import { BACKUP_FORMAT, BACKUP_VERSION, BackupEvent, BackupHeader } from './backup-format';

/**
 * Writes the whole event log — all a restore needs, since every read model is derived from it —
 * as gzipped NDJSON in commit order. One REPEATABLE READ snapshot is the cut: every append
 * committed before it is in the file, an append in flight is wholly left out. (No xmin horizon
 * here: that is for readers that resume later; inside one snapshot it would only hide commits.)
 * Read models are not backed up.
 */
export async function backupEventLog(pool: Pool, file: string, onProgress?: (events: number) => void, batch = 5000): Promise<{ events: number; bytes: number }> {
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(file);
  gzip.pipe(out);
  const write = async (line: unknown) => {
    if (!gzip.write(JSON.stringify(line) + '\n')) await once(gzip, 'drain');
  };
  const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), appVersion: APP_VERSION };
  await write(header);
  // One snapshot for the whole read: events committed after it starts are not half-included.
  const client = await pool.connect();
  let events = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let tx = '0';
    let pos = '0';
    for (;;) {
      const { rows } = await client.query(
        `SELECT position::text, stream_id, revision::text, event_id, type, schema_version, data, metadata, recorded_at, transaction_id::text AS tx
           FROM events WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
          ORDER BY events.transaction_id, events.position LIMIT $3`,
        [tx, pos, batch],
      );
      // Qualified names: the select list casts position to text, which ORDER BY would sort as text.
      for (const r of rows) {
        const e: BackupEvent = { position: r.position, streamId: r.stream_id, revision: r.revision, eventId: r.event_id, type: r.type, schemaVersion: r.schema_version, data: r.data, metadata: r.metadata, recordedAt: r.recorded_at.toISOString() };
        await write(e);
      }
      events += rows.length;
      onProgress?.(events);
      if (rows.length < batch) break;
      tx = rows[rows.length - 1].tx;
      pos = rows[rows.length - 1].position;
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await write({ end: true, events });
  gzip.end();
  await once(out, 'finish');
  return { events, bytes: out.bytesWritten };
}
