import { randomUUID } from 'node:crypto';
import { EventStore } from '../../src/event-store/event-store.port';
import { ExpectedVersionConflict } from '../../src/event-store/expected-version-conflict.error';
import { RecordedEvent } from '../../src/event-store/envelope';
import { sqlOf, UnitOfWork } from '../../src/event-store/unit-of-work';

const ev = (n: number) => ({ type: 'ThingHappened', data: { n } });

/**
 * The behaviour every EventStore adapter must have. `make` returns a store over an empty log.
 * `sql`: whether the adapter's units of work carry a SQL transaction for caller-owned rows.
 */
export function eventStoreContract(name: string, make: () => Promise<{ store: EventStore; dispose(): Promise<void> }>, options: { sql: boolean }) {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    beforeEach(async () => ({ store, dispose } = await make()));
    afterEach(async () => dispose());

    const stream = () => `thing-${randomUUID()}`;

    it('appends many events atomically with consecutive revisions and increasing positions', async () => {
      const s = stream();
      const r = await store.append(s, [ev(1), ev(2), ev(3)], 'no_stream');
      expect(r.nextRevision).toBe(2n);
      expect(r.events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(r.positions[1] > r.positions[0] && r.positions[2] > r.positions[1]).toBe(true);
      const read = await store.readStream(s);
      expect(read.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3]);
      expect(read[0].metadata.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('checks every kind of expected revision', async () => {
      const s = stream();
      await expect(store.append(s, [ev(1)], 'stream_exists')).rejects.toBeInstanceOf(ExpectedVersionConflict);
      await expect(store.append(s, [ev(1)], 0n)).rejects.toBeInstanceOf(ExpectedVersionConflict);
      await store.append(s, [ev(1)], 'no_stream');
      const conflict = await store.append(s, [ev(2)], 'no_stream').catch((e) => e);
      expect(conflict).toBeInstanceOf(ExpectedVersionConflict);
      expect(conflict.actual).toBe(0n);
      await store.append(s, [ev(2)], 0n);
      await store.append(s, [ev(3)], 'stream_exists');
      await store.append(s, [ev(4)], 'any');
      await expect(store.append(s, [ev(5)], 1n)).rejects.toMatchObject({ name: 'ExpectedVersionConflict', actual: 3n });
      expect((await store.readStream(s)).length).toBe(4);
    });

    it('lets exactly one of 50 concurrent appends at the same revision win, with no gaps', async () => {
      const s = stream();
      await store.append(s, [ev(0)], 'no_stream');
      const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.append(s, [ev(i)], 0n)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const l of lost) expect(l.reason).toBeInstanceOf(ExpectedVersionConflict);
      expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0n, 1n]);
    });

    it("serialises 50 concurrent 'any' appends without losing one or leaving a gap", async () => {
      const s = stream();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(s, [ev(i)], 'any')));
      const revs = (await store.readStream(s)).map((e) => Number(e.revision));
      expect(revs).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('treats a re-append of stored event ids as a no-op returning the original positions', async () => {
      const s = stream();
      const ids = [randomUUID(), randomUUID()];
      const first = await store.append(s, [{ ...ev(1), eventId: ids[0] }, { ...ev(2), eventId: ids[1] }], 'no_stream');
      const again = await store.append(s, [{ ...ev(1), eventId: ids[0] }, { ...ev(2), eventId: ids[1] }], 'no_stream');
      expect(again.positions).toEqual(first.positions);
      expect(again.nextRevision).toBe(1n);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('reads the global log in commit order, resuming from any checkpoint', async () => {
      const a = stream();
      const b = stream();
      await store.append(a, [ev(1), ev(2)], 'any');
      await store.append(b, [ev(3)], 'any');
      await store.append(a, [ev(4)], 'any');
      const all: RecordedEvent[] = [];
      let from: string | null = null;
      const isMine = (e: RecordedEvent) => e.streamId === a || e.streamId === b;
      // Readable may trail committed (a store stays behind any older open transaction, and other
      // test files share the server): read on from the last checkpoint until all four show up.
      for (const until = Date.now() + 10_000; all.filter(isMine).length < 4 && Date.now() < until; ) {
        const page = await store.readAll(from, 2);
        if (!page.length) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        all.push(...page);
        from = page[page.length - 1].checkpoint;
      }
      const mine = all.filter(isMine);
      expect(mine.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4]);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
      expect((await store.head())?.position).toBe(positions[positions.length - 1]);
    });

    it('reads a stream from a revision with a maximum count', async () => {
      const s = stream();
      await store.append(s, [ev(1), ev(2), ev(3), ev(4)], 'no_stream');
      const part = await store.readStream(s, { fromRevision: 1n, maxCount: 2 });
      expect(part.map((e) => e.revision)).toEqual([1n, 2n]);
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('delivers to a live subscription what was appended after it started', async () => {
      const s = stream();
      await store.append(s, [ev(1)], 'no_stream');
      const seen: number[] = [];
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const sub = store.subscribe({
        from: null,
        onBatch: async (batch) => {
          for (const e of batch) if (e.streamId === s) seen.push((e.data as { n: number }).n);
          if (seen.length === 3) resolve();
        },
      });
      await store.append(s, [ev(2)], 0n);
      await store.append(s, [ev(3)], 1n);
      await done;
      await sub.stop();
      expect(seen).toEqual([1, 2, 3]);
    });

    describe('unit of work', () => {
      const revisions = async (s: string) => (await store.readStream(s)).map((e) => e.revision);

      it('commits appends to several streams together, invisible to others until the commit', async () => {
        const [a, b, c] = [stream(), stream(), stream()];
        await store.append(c, [ev(0)], 'no_stream');
        const seenInside: bigint[][] = [];
        const result = await store.transact(async (uow) => {
          const ra = await uow.append(a, [ev(1), ev(2)], 'no_stream');
          const [rb, rc] = await uow.appendMany([
            { streamId: b, events: [ev(3)], expected: 'no_stream' },
            { streamId: c, events: [ev(4), ev(5)], expected: 0n },
          ]);
          seenInside.push(await revisions(a), (await uow.readStream(a)).map((e) => e.revision), (await uow.readStream(c)).map((e) => e.revision));
          return [ra, rb, rc];
        });
        expect(seenInside).toEqual([[], [0n, 1n], [0n, 1n, 2n]]);
        expect(result.map((r) => r.nextRevision)).toEqual([1n, 0n, 2n]);
        expect(result[2].events.map((e) => e.streamId)).toEqual([c, c]);
        expect(await revisions(a)).toEqual([0n, 1n]);
        expect(await revisions(b)).toEqual([0n]);
        expect((await store.readStream(c)).map((e) => (e.data as { n: number }).n)).toEqual([0, 4, 5]);
        // Within a stream, positions follow revisions.
        const inC = await store.readStream(c);
        expect(inC[2].position > inC[1].position && inC[1].position > inC[0].position).toBe(true);
      });

      it('stores nothing of the unit when one expected revision fails, whichever append it is', async () => {
        const [a, b, c] = [stream(), stream(), stream()];
        await store.append(c, [ev(0)], 'no_stream');
        const single = await store
          .transact(async (uow) => {
            await uow.append(a, [ev(1)], 'no_stream');
            await uow.append(b, [ev(2)], 'no_stream');
            await uow.append(c, [ev(3)], 5n);
          })
          .catch((e) => e);
        expect(single).toBeInstanceOf(ExpectedVersionConflict);
        expect(single).toMatchObject({ streamId: c, actual: 0n });
        const many = await store.transact((uow) => uow.appendMany([{ streamId: a, events: [ev(1)], expected: 'no_stream' }, { streamId: c, events: [ev(3)], expected: 'no_stream' }])).catch((e) => e);
        expect(many).toBeInstanceOf(ExpectedVersionConflict);
        expect(many).toMatchObject({ streamId: c, actual: 0n });
        expect(await revisions(a)).toEqual([]);
        expect(await revisions(b)).toEqual([]);
        expect(await revisions(c)).toEqual([0n]);
      });

      it('stores nothing when the work throws after appending', async () => {
        const a = stream();
        await expect(
          store.transact(async (uow) => {
            await uow.append(a, [ev(1)], 'no_stream');
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await revisions(a)).toEqual([]);
      });

      it('lets exactly one of 20 concurrent units appending at one revision win; the rest fail whole', async () => {
        const s = stream();
        await store.append(s, [ev(0)], 'no_stream');
        const sides = Array.from({ length: 20 }, () => stream());
        const results = await Promise.allSettled(
          sides.map((side, i) =>
            store.transact(async (uow) => {
              await uow.append(side, [ev(i)], 'no_stream');
              await new Promise((r) => setTimeout(r, 5)); // every unit is open before any commits
              await uow.append(s, [ev(i)], 0n);
            }),
          ),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ExpectedVersionConflict);
        expect(await revisions(s)).toEqual([0n, 1n]);
        const sideRevisions = await Promise.all(sides.map(revisions));
        expect(sideRevisions.filter((r) => r.length).length).toBe(1);
        expect(sideRevisions[won[0]]).toEqual([0n]);
      });

      it('refuses a unit that is used after its work has ended', async () => {
        let kept!: UnitOfWork;
        await store.transact(async (uow) => void (kept = uow));
        await expect(kept.append(stream(), [ev(1)], 'any')).rejects.toThrow(/ended/);
      });

      if (options.sql) {
        it('commits and rolls back caller rows written through the unit with its events', async () => {
          const a = stream();
          await store.transact(async (uow) => {
            await sqlOf(uow).query('CREATE TABLE IF NOT EXISTS uow_contract_rows (id text PRIMARY KEY)');
          });
          const failed = await store
            .transact(async (uow) => {
              await sqlOf(uow).query('INSERT INTO uow_contract_rows (id) VALUES ($1)', [`${a}-rolled-back`]);
              await uow.append(a, [ev(1)], 'no_stream');
              await uow.append(a, [ev(2)], 'no_stream'); // the stream exists in the unit: conflict
            })
            .catch((e) => e);
          expect(failed).toBeInstanceOf(ExpectedVersionConflict);
          await store.transact(async (uow) => {
            await sqlOf(uow).query('INSERT INTO uow_contract_rows (id) VALUES ($1)', [`${a}-kept`]);
            await uow.append(a, [ev(3)], 'no_stream');
          });
          const rows = await store.transact(async (uow) => (await sqlOf(uow).query<{ id: string }>('SELECT id FROM uow_contract_rows WHERE id LIKE $1 ORDER BY id', [`${a}-%`])).rows);
          expect(rows.map((r) => r.id)).toEqual([`${a}-kept`]);
          expect((await store.readStream(a)).map((e) => (e.data as { n: number }).n)).toEqual([3]);
        });
      } else {
        it('has no SQL session for caller rows, and says so when one is asked for', async () => {
          await store.transact(async (uow) => {
            expect(uow.sql).toBeNull();
            expect(() => sqlOf(uow)).toThrow(/SQL-backed/);
          });
        });
      }
    });
  });
}
