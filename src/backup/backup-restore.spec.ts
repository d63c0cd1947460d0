import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory-event-store';
import { registerUpcaster } from '../event-store/upcasters';
import { backupEventLog } from './backup';
import { restoreEventLog, RestoreRefused } from './restore';

// An event whose stored shape is older than what readers see: a backup keeps the stored one.
registerUpcaster('BackupSpecShaped', 1, (data: object) => ({ ...data, added: true }));

/** The file round trip over the in-memory log (with PostgreSQL and the CLIs: test/backup). */
describe('backup and restore', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'opsledger-backup-spec-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores every event as it was stored: ids, streams, revisions, positions, times, stored shape', async () => {
    const source = new InMemoryEventStore();
    await source.append(
      'a',
      [
        { type: 'BackupSpecShaped', data: { n: 1 } },
        { type: 'Other', data: { n: 2 } },
      ],
      'no_stream',
    );
    await source.transact(async (uow) => {
      await uow.append('b', [{ type: 'Other', data: { n: 3 } }], 'no_stream');
      await uow.append('a', [{ type: 'Other', data: { n: 4 } }], 1n);
    });
    const file = path.join(dir, 'log.ndjson.gz');
    const progress: number[] = [];
    expect(await backupEventLog(source, file, (n) => progress.push(n), 2)).toMatchObject({ events: 4 });
    expect(progress).toEqual([2, 4]);

    const target = new InMemoryEventStore();
    expect(await restoreEventLog(target, file)).toEqual({ events: 4 });
    const all = async (s: InMemoryEventStore) => (await s.readAll(null, 100)).map(({ checkpoint: _c, ...e }) => e);
    expect(await all(target)).toEqual(await all(source));
    expect((await target.readStream('a'))[0]).toMatchObject({ schemaVersion: 2, data: { n: 1, added: true } });
    // The log goes on after the restored positions.
    const next = await target.append('b', [{ type: 'Other', data: {} }], 0n);
    expect(next.positions[0] > 4n).toBe(true);

    await expect(restoreEventLog(target, file)).rejects.toThrow(new RestoreRefused('the database already has events: restore only into an empty database'));
  });
});
