import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { EventStore } from '../event-store/event-store.port';
import { ArchivedEvent, LogNotEmpty, sqlOf } from '../event-store/unit-of-work';
import { BACKUP_FORMAT, BackupEvent, BackupHeader, BackupTrailer } from './backup-format';

export class RestoreRefused extends Error {}

/**
 * Loads a backup into an empty, migrated database: events keep their ids, streams, revisions,
 * positions and times, in file (= original commit) order, all in one unit of work — a truncated
 * or bad file leaves the database as empty as it was. The audit chain head is set to the
 * restored chain's last link. Read models are rebuilt afterwards from the log.
 */
export async function restoreEventLog(store: EventStore, file: string, onProgress?: (events: number) => void, batch = 5000): Promise<{ events: number }> {
  // The restored audit chain: how many links, and the newest one.
  const chain = { links: 0, last: null as ArchivedEvent | null };
  let count = 0;
  async function* archive(): AsyncIterable<ArchivedEvent> {
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    let header: BackupHeader | null = null;
    let trailer: BackupTrailer | null = null;
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
      const e = archived(obj);
      if (e.type === 'OperatorActionRecorded') {
        chain.links++;
        if (!chain.last || e.position > chain.last.position) chain.last = e;
      }
      yield e;
      if (++count % batch === 0) onProgress?.(count);
    }
    onProgress?.(count);
    if (!header) throw new RestoreRefused(`${file} is empty`);
    if (!trailer) throw new RestoreRefused(`${file} is truncated: it has no end line after ${count} events; nothing was restored`);
    if (trailer.events !== count) throw new RestoreRefused(`${file} says ${trailer.events} events but holds ${count}`);
  }
  try {
    return await store.transact(async (uow) => {
      const events = await uow.restore(archive());
      // The audit chain continues from its last link.
      const last = chain.last;
      if (last)
        await sqlOf(uow).query('UPDATE audit_chain_head SET last_event_id = $1, last_hash = $2, length = $3 WHERE id = 1', [
          last.eventId,
          (last.data as { hash: string }).hash,
          chain.links,
        ]);
      return { events };
    });
  } catch (err) {
    if (err instanceof LogNotEmpty) throw new RestoreRefused('the database already has events: restore only into an empty database');
    throw err;
  }
}

function archived(e: BackupEvent): ArchivedEvent {
  return {
    eventId: e.eventId,
    streamId: e.streamId,
    revision: BigInt(e.revision),
    position: BigInt(e.position),
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata as ArchivedEvent['metadata'],
    recordedAt: new Date(e.recordedAt),
  };
}
