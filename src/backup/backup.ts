import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { EventStore } from '../event-store/event-store.port';
import { APP_VERSION } from '../shared/version';
import { BACKUP_FORMAT, BACKUP_VERSION, BackupEvent, BackupHeader } from './backup-format';

/**
 * Writes the whole event log — all a restore needs, since every read model is derived from it —
 * as gzipped NDJSON in commit order, each event as stored (before upcasting). One snapshot is the
 * cut: every append committed before it is in the file, an append in flight is wholly left out.
 * Read models are not backed up.
 */
export async function backupEventLog(
  store: EventStore,
  file: string,
  onProgress?: (events: number) => void,
  batch = 5000,
): Promise<{ events: number; bytes: number }> {
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(file);
  gzip.pipe(out);
  const write = async (line: unknown) => {
    if (!gzip.write(JSON.stringify(line) + '\n')) await once(gzip, 'drain');
  };
  const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), appVersion: APP_VERSION };
  await write(header);
  let events = 0;
  await store.atSnapshot(async (snap) => {
    for await (const page of snap.scan(undefined, { pageSize: batch, stored: true })) {
      for (const e of page) {
        const line: BackupEvent = {
          position: e.position.toString(),
          streamId: e.streamId,
          revision: e.revision.toString(),
          eventId: e.eventId,
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: e.data,
          metadata: e.metadata,
          recordedAt: e.recordedAt.toISOString(),
        };
        await write(line);
      }
      events += page.length;
      onProgress?.(events);
    }
  });
  await write({ end: true, events });
  gzip.end();
  await once(out, 'finish');
  return { events, bytes: out.bytesWritten };
}
