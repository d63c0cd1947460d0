import { randomUUID } from 'node:crypto';
import { EventFilter } from '../../src/event-store/event-filter';
import { EventStore, InlineProjection } from '../../src/event-store/event-store.port';
import { ExpectedVersionConflict } from '../../src/event-store/expected-version-conflict.error';
import { RecordedEvent } from '../../src/event-store/envelope';
import { ArchivedEvent, LogNotEmpty, sqlOf, UnitOfWork } from '../../src/event-store/unit-of-work';
import { registerUpcaster } from '../../src/event-store/upcasters';

// Version 1 of ContractShaped lacked `v2`: readers see it added, a stored-form scan does not.
registerUpcaster('ContractShaped', 1, (data: object) => ({ ...data, v2: true }));

const ev = (n: number) => ({ type: 'ThingHappened', data: { n } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store under test, with what the inline-projection tests need from its adapter. */
export interface ContractSubject {
  readonly store: EventStore;
  dispose(): Promise<void>;
  /** Makes room for an inline projection's rows (a table on PostgreSQL). */
  createRows(projection: string): Promise<void>;
  /** An inline projection's rows as committed, by key. */
  rows(projection: string): Promise<Map<string, unknown>>;
}

/** Counts a stream's `Counted` events: one row per stream. */
const counter = (name: string): InlineProjection<{ n: number; last: number }> => ({
  name,
  inline: true,
  canHandle: ['Counted'],
  keysOf: (e) => [e.streamId],
  evolve: (row, e) => ({ n: (row?.n ?? 0) + 1, last: (e.data as { n: number }).n }),
});
const counted = (n: number) => ({ type: 'Counted', data: { n } });

/**
 * The behaviour every EventStore adapter must have. `make` returns a store over a log that other
 * tests may share (each test uses streams of its own); `{ emptyLog: true }`, over an empty one.
 * `sql`: whether the adapter's units of work carry a SQL transaction for caller-owned rows.
 */
export function eventStoreContract(name: string, make: (opts?: { emptyLog?: boolean }) => Promise<ContractSubject>, options: { sql: boolean }) {
  describe(`EventStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => subject.dispose());

    /** The whole readable log through `filter`; waits (10 s at most) until `count` events pass, since readable may trail committed. */
    const readMatching = async (filter: EventFilter, count: number): Promise<RecordedEvent[]> => {
      let all: RecordedEvent[] = [];
      for (const until = Date.now() + 10_000; ; await sleep(20)) {
        all = [];
        for (let from: string | null = null; ;) {
          const page = await store.readAll(from, 3, filter);
          all.push(...page);
          if (page.length < 3) break;
          from = page[page.length - 1].checkpoint;
        }
        if (all.length >= count || Date.now() > until) return all;
      }
    };

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
      const first = await store.append(
        s,
        [
          { ...ev(1), eventId: ids[0] },
          { ...ev(2), eventId: ids[1] },
        ],
        'no_stream',
      );
      const again = await store.append(
        s,
        [
          { ...ev(1), eventId: ids[0] },
          { ...ev(2), eventId: ids[1] },
        ],
        'no_stream',
      );
      expect(again.positions).toEqual(first.positions);
      expect(again.nextRevision).toBe(1n);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('answers each append of a concurrent burst on its own: stored, conflicting, replayed and half-replayed side by side', async () => {
      const done = stream();
      const ids = [randomUUID(), randomUUID()];
      const first = await store.append(
        done,
        [
          { ...ev(1), eventId: ids[0] },
          { ...ev(2), eventId: ids[1] },
        ],
        'no_stream',
      );
      const half = stream();
      const halfIds = [randomUUID(), randomUUID()];
      await store.append(half, [{ ...ev(1), eventId: halfIds[0] }], 'no_stream');
      const fresh = Array.from({ length: 12 }, () => stream());
      const one = stream();
      const [freshResults, conflictNoStream, conflictExact, replay, halfReplay, oneStream] = await Promise.all([
        Promise.allSettled(fresh.map((s, i) => store.append(s, [ev(i), ev(i + 100)], 'no_stream'))),
        store.append(done, [ev(9)], 'no_stream').then(
          () => 'stored',
          (err) => err,
        ),
        store.append(done, [ev(9)], 0n).then(
          () => 'stored',
          (err) => err,
        ),
        store.append(
          done,
          [
            { ...ev(1), eventId: ids[0] },
            { ...ev(2), eventId: ids[1] },
          ],
          0n,
        ),
        store
          .append(
            half,
            [
              { ...ev(1), eventId: halfIds[0] },
              { ...ev(2), eventId: halfIds[1] },
            ],
            'any',
          )
          .then(
            () => 'stored',
            (err) => err,
          ),
        // One stream, each append at the revision the one before it leaves: retried on conflict, none lost.
        Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            for (let expected: bigint | 'no_stream' = 'no_stream'; ;) {
              try {
                return await store.append(one, [ev(w)], expected);
              } catch (err) {
                if (!(err instanceof ExpectedVersionConflict)) throw err;
                expected = err.actual;
              }
            }
          }),
        ),
      ]);
      expect(freshResults.map((r) => r.status)).toEqual(fresh.map(() => 'fulfilled'));
      for (const [i, s] of fresh.entries()) expect((await store.readStream(s)).map((e) => (e.data as { n: number }).n)).toEqual([i, i + 100]);
      expect(conflictNoStream).toBeInstanceOf(ExpectedVersionConflict);
      expect((conflictNoStream as ExpectedVersionConflict).actual).toBe(1n);
      expect(conflictExact).toBeInstanceOf(ExpectedVersionConflict);
      expect((conflictExact as ExpectedVersionConflict).actual).toBe(1n);
      expect(replay.positions).toEqual(first.positions);
      expect(halfReplay).toBeInstanceOf(Error);
      expect(String((halfReplay as Error).message)).toMatch(/stored already, others are not/);
      expect((await store.readStream(done)).map((e) => e.eventId)).toEqual(ids);
      expect(await store.readStream(half)).toHaveLength(1);
      expect(oneStream.map((r) => r.nextRevision).sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: 8 }, (_, i) => BigInt(i)));
      expect((await store.readStream(one)).map((e) => Number(e.revision))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
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
      for (const until = Date.now() + 10_000; all.filter(isMine).length < 4 && Date.now() < until;) {
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
      // Appends made one after another take ascending positions. Across the whole log commit
      // order may differ from position order (units, and grouped appends, interleave).
      const positions = mine.map((e) => e.position);
      expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
      expect((await store.head())?.position).toBe(all[all.length - 1].position);
    });

    it('counts the events after a checkpoint, at most a cap (projection lag)', async () => {
      const s = stream();
      const before = await store.head();
      const base = await store.countAfter(before?.checkpoint ?? null, 1_000_000);
      const r = await store.append(s, [ev(1), ev(2), ev(3)], 'no_stream');
      expect(await store.countAfter(before?.checkpoint ?? null, 1_000_000)).toBe(base + 3);
      expect(await store.countAfter(r.events[0].checkpoint, 1_000_000)).toBe(2);
      expect(await store.countAfter(r.events[2].checkpoint, 1_000_000)).toBe(0);
      expect(await store.countAfter(null, 2)).toBe(2);
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

    describe('reads', () => {
      it('filters readAll by type, stream, stream prefix, data field, tenant, position and any-of, in commit order', async () => {
        const p = `f-${randomUUID()}-`;
        const other = `g-${randomUUID()}`;
        const a = await store.append(
          `${p}a`,
          [
            { type: 'A', data: { job: 'x', tenant: 't1' } },
            { type: 'B', data: { job: 'y' }, metadata: { tenant: 't2' } },
          ],
          'no_stream',
        );
        const b = await store.append(`${p}b`, [{ type: 'A', data: { job: 'y' } }], 'no_stream');
        await store.append(other, [{ type: 'A', data: { job: 'y' } }], 'no_stream');
        const ids = (es: RecordedEvent[]) => es.map((e) => e.eventId);
        const mine = { streamPrefixes: [p] };
        expect(ids(await readMatching(mine, 3))).toEqual([...ids([...a.events]), b.events[0].eventId]);
        expect(ids(await readMatching({ ...mine, types: ['A'] }, 2))).toEqual([a.events[0].eventId, b.events[0].eventId]);
        expect(ids(await readMatching({ streams: [`${p}a`] }, 2))).toEqual(ids([...a.events]));
        expect((await readMatching({ streams: [other], streamPrefixes: [p] }, 4)).map((e) => e.streamId)).toEqual([`${p}a`, `${p}a`, `${p}b`, other]);
        expect(ids(await readMatching({ ...mine, data: { job: ['y'] } }, 2))).toEqual([a.events[1].eventId, b.events[0].eventId]);
        expect(ids(await readMatching({ ...mine, data: { job: ['x', 'y'], tenant: ['t1'] } }, 1))).toEqual([a.events[0].eventId]);
        expect(ids(await readMatching({ ...mine, tenant: 't1' }, 1))).toEqual([a.events[0].eventId]); // data.tenant
        expect(ids(await readMatching({ ...mine, tenant: 't2' }, 1))).toEqual([a.events[1].eventId]); // metadata.tenant
        expect(ids(await readMatching({ ...mine, positions: { gte: a.events[1].position, lte: b.events[0].position } }, 2))).toEqual([
          a.events[1].eventId,
          b.events[0].eventId,
        ]);
        expect(ids(await readMatching({ ...mine, positions: { gt: a.events[0].position, lt: b.events[0].position } }, 1))).toEqual([a.events[1].eventId]);
        expect(ids(await readMatching({ ...mine, anyOf: [{ types: ['B'] }, { streams: [`${p}b`] }] }, 2))).toEqual([a.events[1].eventId, b.events[0].eventId]);
        expect(await readMatching({ ...mine, types: [] }, 0)).toEqual([]);
        expect(await readMatching({ ...mine, anyOf: [] }, 0)).toEqual([]);
        // A filtered read resumes from the checkpoint of the last event it returned.
        const [first] = await store.readAll(null, 1, { ...mine, types: ['A'] });
        expect(ids(await store.readAll(first.checkpoint, 10, { ...mine, types: ['A'] }))).toEqual([b.events[0].eventId]);
      });

      it('filters by the time an event was recorded, or by when its commit began', async () => {
        const p = `t-${randomUUID()}-`;
        const early = await store.append(`${p}early`, [ev(1)], 'no_stream');
        await sleep(50);
        const [x, y] = await store.transact(async (uow) => {
          const rx = await uow.append(`${p}x`, [ev(2)], 'no_stream');
          await sleep(50);
          return [rx, await uow.append(`${p}y`, [ev(3)], 'no_stream')];
        });
        // Times come back to the millisecond, a store may record finer: y was recorded at or just after `edge`, x 50 ms before.
        const edge = y.events[0].recordedAt;
        const justAfter = (d: Date) => new Date(d.getTime() + 1);
        const mine = { streamPrefixes: [p] };
        const streams = (es: RecordedEvent[]) => es.map((e) => e.streamId.slice(p.length));
        expect(streams(await readMatching({ ...mine, recordedAt: { gte: edge } }, 1))).toEqual(['y']);
        expect(streams(await readMatching({ ...mine, recordedAt: { lt: edge } }, 2))).toEqual(['early', 'x']);
        expect(streams(await readMatching({ ...mine, recordedAt: { gt: justAfter(early.events[0].recordedAt), lte: justAfter(edge) } }, 2))).toEqual([
          'x',
          'y',
        ]);
        // By commit: the unit began before the edge, so it is wholly before it.
        expect(streams(await readMatching({ ...mine, recordedAt: { lt: edge, byCommit: true } }, 3))).toEqual(['early', 'x', 'y']);
        expect(streams(await readMatching({ ...mine, recordedAt: { gte: edge, byCommit: true } }, 0))).toEqual([]);
        expect(streams(await readMatching({ ...mine, recordedAt: { gte: justAfter(x.events[0].recordedAt), byCommit: true } }, 0))).toEqual([]);
      });

      it('reads several streams by prefix and revision ranges, stream after stream, page by page', async () => {
        const q = `s-${randomUUID()}-`;
        await store.append(`${q}a`, [ev(0), ev(1), ev(2)], 'no_stream');
        await store.append(`${q}b`, [ev(3), ev(4)], 'no_stream');
        await store.append(`x${q}`, [ev(5)], 'no_stream');
        const seen = (es: RecordedEvent[]) => es.map((e) => `${e.streamId.slice(q.length)}@${e.revision}`);
        const byStream = (es: RecordedEvent[]) => seen(es).sort();
        const whole = await store.readStreams({ prefix: q });
        expect(byStream(whole)).toEqual(['a@0', 'a@1', 'a@2', 'b@0', 'b@1']);
        // Grouped by stream, each in revision order.
        const order = seen(whole);
        expect([order.slice(0, 3), order.slice(3)].map((g) => g.join())).toEqual(expect.arrayContaining(['a@0,a@1,a@2', 'b@0,b@1']));
        expect(byStream(await store.readStreams({ prefix: q, ranges: new Map([[`${q}a`, { from: 1n }]]) }))).toEqual(['a@1', 'a@2', 'b@0', 'b@1']);
        expect(
          byStream(
            await store.readStreams({
              ranges: new Map([
                [`${q}a`, { before: 2n }],
                [`${q}b`, { from: 1n }],
                [`${q}none`, {}],
              ]),
            }),
          ),
        ).toEqual(['a@0', 'a@1', 'b@1']);
        expect(await store.readStreams({})).toEqual([]);
        const paged: RecordedEvent[] = [];
        for (let page = await store.readStreams({ prefix: q }, { limit: 2 }); ;) {
          paged.push(...page);
          if (page.length < 2) break;
          const last = page[page.length - 1];
          page = await store.readStreams({ prefix: q }, { limit: 2, after: { streamId: last.streamId, revision: last.revision } });
        }
        expect(seen(paged)).toEqual(order);
      });

      it('reads events by id, in log order, leaving out unknown ids', async () => {
        const r1 = await store.append(`ids-${randomUUID()}`, [ev(1), ev(2)], 'no_stream');
        const r2 = await store.append(`ids-${randomUUID()}`, [ev(3)], 'no_stream');
        const found = await store.readEvents([r2.events[0].eventId, randomUUID(), 'not-a-uuid', r1.events[0].eventId, r1.events[0].eventId]);
        expect(found.map((e) => e.eventId)).toEqual([r1.events[0].eventId, r2.events[0].eventId]);
        expect(found[1].data).toEqual({ n: 3 });
        expect(await store.readEvents([])).toEqual([]);
      });

      it('knows its checkpoints, its head and when its oldest event was recorded', async () => {
        const r = await store.append(`cp-${randomUUID()}`, [ev(1), ev(2)], 'no_stream');
        for (const e of r.events) expect(store.isCheckpoint(e.checkpoint)).toBe(true);
        for (const bad of ['', 'garbage', '-1', `${r.events[0].checkpoint} `, `0${r.events[0].checkpoint}`]) expect(store.isCheckpoint(bad)).toBe(false);
        const oldest = await store.oldestRecordedAt();
        expect(oldest!.getTime()).toBeLessThanOrEqual(r.events[0].recordedAt.getTime());
        let head = await store.head();
        for (const until = Date.now() + 10_000; (head?.position ?? 0n) < r.events[1].position && Date.now() < until; head = await store.head()) await sleep(20);
        expect(head!.position >= r.events[1].position).toBe(true);
      });
    });

    describe('snapshot', () => {
      it('reads the log as it stood when the snapshot began, however long it lasts', async () => {
        const s = `snap-${randomUUID()}`;
        const before = await store.append(s, [ev(1), ev(2), ev(3)], 'no_stream');
        const seen = await store.atSnapshot(async (snap) => {
          const first = await snap.readStream(s);
          const later = await store.append(s, [ev(4)], 2n); // commits while the snapshot is open
          const all: number[][] = [];
          for await (const page of snap.scan({ streams: [s] }, { pageSize: 2 })) all.push(page.map((e) => (e.data as { n: number }).n));
          const fromSecond: number[] = [];
          for await (const page of snap.scan({ streams: [s] }, { from: before.events[0].checkpoint }))
            fromSecond.push(...page.map((e) => (e.data as { n: number }).n));
          return {
            first: first.length,
            again: (await snap.readStream(s)).length,
            pages: all,
            fromSecond,
            readAll: (await snap.readAll(null, 100, { streams: [s] })).length,
            streams: (await snap.readStreams({ ranges: new Map([[s, {}]]) })).length,
            laterById: await snap.readEvents([later.events[0].eventId, before.events[0].eventId]),
            sql: snap.sql !== null,
          };
        });
        expect(seen).toMatchObject({ first: 3, again: 3, pages: [[1, 2], [3]], fromSecond: [2, 3], readAll: 3, streams: 3, sql: options.sql });
        expect(seen.laterById.map((e) => e.eventId)).toEqual([before.events[0].eventId]);
        expect(await store.readStream(s)).toHaveLength(4);
      });

      it('scans events as stored when asked (data and schema version before upcasting)', async () => {
        const s = `stored-${randomUUID()}`;
        await store.append(s, [{ type: 'ContractShaped', data: { a: 1 } }], 'no_stream');
        const [read] = await store.readStream(s);
        expect([read.schemaVersion, read.data]).toEqual([2, { a: 1, v2: true }]);
        const scanned = await store.atSnapshot(async (snap) => {
          const out: RecordedEvent[][] = [];
          for (const stored of [false, true]) for await (const page of snap.scan({ streams: [s] }, { stored })) out.push(page);
          return out.map(([e]) => [e.schemaVersion, e.data]);
        });
        expect(scanned).toEqual([
          [2, { a: 1, v2: true }],
          [1, { a: 1 }],
        ]);
      });

      it('scans in the order events were written when asked (a unit that wrote first but committed last comes first)', async () => {
        const [a, b] = [`order-${randomUUID()}`, `order-${randomUUID()}`];
        const first = await store.transact(async (uow) => {
          const r = await uow.append(a, [ev(1)], 'no_stream');
          await store.append(b, [ev(2)], 'no_stream'); // written after, committed before
          return r;
        });
        const scanned = await store.atSnapshot(async (snap) => {
          const out: string[] = [];
          for await (const page of snap.scan({ streams: [a, b] }, { order: 'position', pageSize: 1 })) out.push(...page.map((e) => e.streamId));
          return out;
        });
        expect(scanned).toEqual([a, b]);
        const fromCheckpoint = store.atSnapshot(async (snap) => {
          for await (const _ of snap.scan(undefined, { order: 'position', from: first.events[0].checkpoint }));
        });
        await expect(fromCheckpoint).rejects.toThrow(/position order/);
      });

      it('refuses a snapshot that is used after its work has ended', async () => {
        let kept!: Parameters<Parameters<EventStore['atSnapshot']>[0]>[0];
        await store.atSnapshot(async (snap) => void (kept = snap));
        await expect(kept.readStream('any')).rejects.toThrow(/ended/);
      });
    });

    describe('inline projections', () => {
      let projection: InlineProjection<{ n: number; last: number }>;
      beforeEach(async () => {
        projection = counter(`contract_${randomUUID().slice(0, 8)}`);
        await subject.createRows(projection.name);
        store.registerInline(projection);
      });
      const rowOf = async (stream: string) => (await subject.rows(projection.name)).get(stream);

      it('folds every append of an event it handles into its rows, in the append', async () => {
        const s = `inl-${randomUUID()}`;
        await store.append(s, [counted(1), counted(2)], 'no_stream');
        expect(await rowOf(s)).toEqual({ n: 2, last: 2 });
        await store.append(s, [ev(9)], 'any'); // not handled: no row change
        await store.append(s, [counted(3)], 'any');
        expect(await rowOf(s)).toEqual({ n: 3, last: 3 });
      });

      it('folds a unit of work’s appends with its commit, and none of a unit that fails', async () => {
        const [a, b] = [`inl-${randomUUID()}`, `inl-${randomUUID()}`];
        await store.transact(async (uow) => {
          await uow.append(a, [counted(1)], 'no_stream');
          await uow.appendMany([
            { streamId: a, events: [counted(2)], expected: 0n },
            { streamId: b, events: [counted(3)], expected: 'no_stream' },
          ]);
        });
        expect(await rowOf(a)).toEqual({ n: 2, last: 2 });
        expect(await rowOf(b)).toEqual({ n: 1, last: 3 });
        const failed = await store
          .transact(async (uow) => {
            await uow.append(a, [counted(4)], 1n);
            await uow.append(b, [counted(5)], 7n);
          })
          .catch((e) => e);
        expect(failed).toBeInstanceOf(ExpectedVersionConflict);
        expect(await rowOf(a)).toEqual({ n: 2, last: 2 });
        expect(await rowOf(b)).toEqual({ n: 1, last: 3 });
      });

      it('folds onto rows the caller holds instead of loading them', async () => {
        const s = `inl-${randomUUID()}`;
        await store.append(s, [counted(1)], 'no_stream');
        // The caller says the row is {n: 10}: the fold starts there (the stored {n: 1} is not read).
        await store.transact((uow) =>
          uow.appendMany([{ streamId: s, events: [counted(2)], expected: 0n }], { knownRows: { [projection.name]: new Map([[s, { n: 10, last: 1 }]]) } }),
        );
        expect(await rowOf(s)).toEqual({ n: 11, last: 2 });
        const fresh = `inl-${randomUUID()}`;
        await store.append(fresh, [counted(5)], 'no_stream', { knownRows: { [projection.name]: new Map([[fresh, null]]) } });
        expect(await rowOf(fresh)).toEqual({ n: 1, last: 5 });
      });

      it('appendMany folds held rows before the insert where the projection allows it (foldBeforeInsert): the same rows, none on a conflict', async () => {
        // A store of its own: only this projection, so every append of it may be folded early.
        const own = await make();
        try {
          const early = { ...counter(`early_${randomUUID().slice(0, 8)}`), foldBeforeInsert: true };
          await own.createRows(early.name);
          own.store.registerInline(early);
          const rows = () => own.rows(early.name);
          const held = (r: [string, { n: number; last: number } | null][]) => ({ knownRows: { [early.name]: new Map(r) } });
          const [s, t, u] = [`inl-${randomUUID()}`, `inl-${randomUUID()}`, `inl-${randomUUID()}`];
          await own.store.append(s, [counted(1)], 'no_stream');
          const results = await own.store.appendMany(
            [
              { streamId: s, events: [counted(2), counted(3)], expected: 0n },
              { streamId: t, events: [counted(4)], expected: 'no_stream' },
            ],
            held([
              [s, { n: 1, last: 1 }],
              [t, null],
            ]),
          );
          expect(results.map((r) => r.nextRevision)).toEqual([2n, 0n]);
          expect(results[0].events.map((e) => (e.data as { n: number }).n)).toEqual([2, 3]);
          expect(results[0].events[1].position > results[0].events[0].position).toBe(true);
          expect([(await rows()).get(s), (await rows()).get(t)]).toEqual([
            { n: 3, last: 3 },
            { n: 1, last: 4 },
          ]);
          // Rows the caller does not hold are loaded, as always; so are those of a loose expectation.
          await own.store.appendMany([{ streamId: s, events: [counted(5)], expected: 2n }]);
          await own.store.appendMany([{ streamId: t, events: [counted(6)], expected: 'any' }], held([[t, { n: 1, last: 4 }]]));
          expect([(await rows()).get(s), (await rows()).get(t)]).toEqual([
            { n: 4, last: 5 },
            { n: 2, last: 6 },
          ]);
          // One stale expected revision: no event and no row of any stream.
          const stale = await own.store
            .appendMany(
              [
                { streamId: u, events: [counted(7)], expected: 'no_stream' },
                { streamId: t, events: [counted(8)], expected: 0n },
              ],
              held([
                [u, null],
                [t, { n: 2, last: 6 }],
              ]),
            )
            .catch((e) => e);
          expect(stale).toBeInstanceOf(ExpectedVersionConflict);
          expect(stale).toMatchObject({ streamId: t, actual: 1n });
          expect(await own.store.readStream(u)).toEqual([]);
          expect((await rows()).has(u)).toBe(false);
          expect((await rows()).get(t)).toEqual({ n: 2, last: 6 });
        } finally {
          await own.dispose();
        }
      });

      it('does not fold a re-append of stored event ids again', async () => {
        const s = `inl-${randomUUID()}`;
        const once = [{ ...counted(1), eventId: randomUUID() }];
        await store.append(s, once, 'no_stream');
        await store.append(s, once, 'no_stream');
        expect(await rowOf(s)).toEqual({ n: 1, last: 1 });
      });

      it('takes each projection once, and only projections marked inline', () => {
        expect(() => store.registerInline(projection)).not.toThrow();
        expect(() => store.registerInline({ ...projection })).toThrow(/registered already/);
        expect(() => store.registerInline({ ...counter(`other_${randomUUID().slice(0, 8)}`), inline: false })).toThrow(/not marked inline/);
      });
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
          seenInside.push(
            await revisions(a),
            (await uow.readStream(a)).map((e) => e.revision),
            (await uow.readStream(c)).map((e) => e.revision),
          );
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
        const many = await store
          .transact((uow) =>
            uow.appendMany([
              { streamId: a, events: [ev(1)], expected: 'no_stream' },
              { streamId: c, events: [ev(3)], expected: 'no_stream' },
            ]),
          )
          .catch((e) => e);
        expect(many).toBeInstanceOf(ExpectedVersionConflict);
        expect(many).toMatchObject({ streamId: c, actual: 0n });
        expect(await revisions(a)).toEqual([]);
        expect(await revisions(b)).toEqual([]);
        expect(await revisions(c)).toEqual([0n]);
      });

      it('appendMany on the store: several streams at once, all or nothing, as a unit holding one appendMany', async () => {
        const [a, b, c] = [stream(), stream(), stream()];
        await store.append(c, [ev(0)], 'no_stream');
        const done = await store.appendMany([
          { streamId: a, events: [ev(1), ev(2)], expected: 'no_stream' },
          { streamId: c, events: [ev(3)], expected: 0n },
        ]);
        expect(done.map((r) => r.nextRevision)).toEqual([1n, 1n]);
        expect(done[1].events[0]).toMatchObject({ streamId: c, revision: 1n, type: 'ThingHappened', data: { n: 3 } });
        expect(await revisions(a)).toEqual([0n, 1n]);
        const failed = await store
          .appendMany([
            { streamId: b, events: [ev(4)], expected: 'no_stream' },
            { streamId: c, events: [ev(5)], expected: 0n },
          ])
          .catch((e) => e);
        expect(failed).toBeInstanceOf(ExpectedVersionConflict);
        expect(failed).toMatchObject({ streamId: c, actual: 1n });
        expect(await revisions(b)).toEqual([]);
        expect(await revisions(c)).toEqual([0n, 1n]);
        expect(await store.appendMany([])).toEqual([]);
        await expect(
          store.appendMany([
            { streamId: b, events: [ev(6)], expected: 'no_stream' },
            { streamId: b, events: [ev(7)], expected: 'any' },
          ]),
        ).rejects.toThrow(/appears twice/);
      });

      it('lets exactly one of 20 concurrent store appendMany calls at one revision win', async () => {
        const [a, b] = [stream(), stream()];
        await store.append(a, [ev(0)], 'no_stream');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.appendMany([
              { streamId: a, events: [ev(i)], expected: 0n },
              { streamId: `${b}-${i}`, events: [ev(i)], expected: 'no_stream' },
            ]),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ExpectedVersionConflict);
        expect(await revisions(a)).toEqual([0n, 1n]);
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

      it('reads its own appends by stream set and by id before it commits', async () => {
        const q = `own-${randomUUID()}-`;
        const committed = await store.append(`${q}a`, [ev(1)], 'no_stream');
        const inside = await store.transact(async (uow) => {
          const mine = await uow.append(`${q}b`, [ev(2)], 'no_stream');
          return {
            streams: (await uow.readStreams({ prefix: q })).map((e) => e.streamId).sort(),
            byId: (await uow.readEvents([mine.events[0].eventId, committed.events[0].eventId])).map((e) => e.eventId),
            mine: mine.events[0].eventId,
          };
        });
        expect(inside.streams).toEqual([`${q}a`, `${q}b`]);
        expect(inside.byId).toEqual([committed.events[0].eventId, inside.mine]);
      });

      it('restores an archive into an empty log only, keeping ids, revisions, positions and times, or nothing of it', async () => {
        const empty = await make({ emptyLog: true });
        try {
          expect(await empty.store.head()).toBeNull();
          expect(await empty.store.oldestRecordedAt()).toBeNull();
          const at = new Date('2026-01-02T03:04:05.678Z');
          const archived = (i: number, stream: string, revision: bigint): ArchivedEvent => ({
            eventId: randomUUID(),
            streamId: stream,
            revision,
            position: BigInt(100 + i * 10),
            type: 'ThingHappened',
            schemaVersion: 1,
            data: { n: i },
            metadata: { occurredAt: at.toISOString(), actor: 'restore' },
            recordedAt: new Date(at.getTime() + i),
          });
          const archive = [archived(0, 'r-a', 0n), archived(1, 'r-b', 0n), archived(2, 'r-a', 1n)];
          async function* from(events: ArchivedEvent[], failAt?: number) {
            for (const [i, e] of events.entries()) {
              if (i === failAt) throw new Error('the archive is cut');
              yield e;
            }
          }
          await expect(empty.store.transact((uow) => uow.restore(from(archive, 2)))).rejects.toThrow('the archive is cut');
          expect(await empty.store.readStream('r-a')).toEqual([]);
          expect(await empty.store.transact((uow) => uow.restore(from(archive)))).toBe(3);
          const a = await empty.store.readStream('r-a');
          expect(a.map((e) => [e.eventId, e.revision, e.position, e.recordedAt.toISOString(), e.metadata.actor])).toEqual([
            [archive[0].eventId, 0n, 100n, '2026-01-02T03:04:05.678Z', 'restore'],
            [archive[2].eventId, 1n, 120n, '2026-01-02T03:04:05.680Z', 'restore'],
          ]);
          expect(await empty.store.oldestRecordedAt()).toEqual(at);
          const next = await empty.store.append('r-b', [ev(9)], 0n);
          expect(next.events[0].position > 120n).toBe(true);
          const again = await empty.store.transact((uow) => uow.restore(from([archived(3, 'r-c', 0n)]))).catch((e) => e);
          expect(again).toBeInstanceOf(LogNotEmpty);
          expect(await empty.store.readStream('r-c')).toEqual([]);
        } finally {
          await empty.dispose();
        }
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
          const rows = await store.transact(
            async (uow) => (await sqlOf(uow).query<{ id: string }>('SELECT id FROM uow_contract_rows WHERE id LIKE $1 ORDER BY id', [`${a}-%`])).rows,
          );
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
