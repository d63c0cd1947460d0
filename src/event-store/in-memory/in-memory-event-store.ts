import { randomUUID } from 'node:crypto';
import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import { EventFilter, eventMatches, ReadStreamsOptions, streamEventWanted, StreamsQuery } from '../event-filter';
import { AppendOptions, EventStore, InlineProjection, LogEnd, ReadStreamOptions, SnapshotReader, SubscribeOptions, Subscription } from '../event-store.port';
import { ExpectedVersionConflict, revisionMatches } from '../expected-version-conflict.error';
import { InlineProjections } from '../inline-projections';
import { startSubscription } from '../subscription';
import { ArchivedEvent, checkDistinctStreams, LogNotEmpty, StreamAppend, UnitOfWork } from '../unit-of-work';
import { upcast } from '../upcasters';
import { LocalWaker } from '../../shared/waker';

/** Appends a unit has made but not committed, per stream, with the committed revision they build on. */
interface Staged {
  readonly base: bigint;
  readonly events: RecordedEvent[];
}

/** An inline projection's row, with the stream position that last changed it. */
interface Row {
  readonly doc: unknown;
  readonly streamId: string | null;
  readonly revision: bigint | null;
}

/** Row changes of one unit, per projection (null: deleted), applied at its commit. */
type RowChanges = Map<string, Map<string, Row | null>>;

/**
 * The same contract in memory, for decider and handler unit tests. Not for production.
 * Positions are taken when an event is written (as PostgreSQL's identity does), the log's order
 * is commit order, and a checkpoint is a place in that order. Inline projections keep their rows
 * in memory (`inlineRows`).
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  /** When the first event of each event's commit was recorded. */
  private readonly commitStart = new Map<RecordedEvent, Date>();
  /** Each event's data and schema version as written, before upcasting. */
  private readonly written = new WeakMap<RecordedEvent, { schemaVersion: number; data: unknown }>();
  private readonly waker = new LocalWaker();
  private readonly inline = new InlineProjections();
  private readonly rows = new Map<string, Map<string, Row>>();
  private lastPosition = 0n;
  /** Lets tests pin recordedAt. */
  now: () => Date = () => new Date();

  registerInline<R>(projection: InlineProjection<R>): void {
    this.inline.register(projection);
  }

  /** The rows of an inline projection as committed, by key. */
  inlineRows(projection: string): Map<string, unknown> {
    return new Map([...(this.rows.get(projection) ?? [])].map(([k, r]) => [k, r.doc]));
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult> {
    const replay = this.replayOf(events);
    if (replay) return replay;
    const staged = this.write(streamId, events, expected, this.revisionOf(streamId));
    const changes: RowChanges = new Map();
    this.applyInline(changes, staged.events, options);
    this.commit(new Map([[streamId, staged]]), changes, []);
    return resultOf(staged.events);
  }

  /** A unit holding one appendMany: all or nothing, inline projections folded with it. */
  async appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]> {
    if (!appends.length) return [];
    return this.transact((uow) => uow.appendMany(appends, options));
  }

  async transact<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    const pending = new Map<string, Staged>();
    const changes: RowChanges = new Map();
    const restored: RecordedEvent[] = [];
    let open = true;
    const check = () => {
      if (!open) throw new Error('this unit of work has ended: use it only inside its transact callback');
    };
    const appendOne = (streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult => {
      const prior = pending.get(streamId);
      const staged = this.write(
        streamId,
        events,
        expected,
        prior ? (prior.events[prior.events.length - 1]?.revision ?? prior.base) : this.revisionOf(streamId),
      );
      pending.set(streamId, { base: prior?.base ?? this.revisionOf(streamId), events: [...(prior?.events ?? []), ...staged.events] });
      return resultOf(staged.events);
    };
    // The unit sees the committed log plus its own appends.
    const own = (): RecordedEvent[] => [...pending.values()].flatMap((s) => s.events);
    const uow: UnitOfWork = {
      sql: null,
      append: async (streamId, events, expected, options) => {
        check();
        const replay = this.replayOf(events);
        if (replay) return replay;
        const result = appendOne(streamId, events, expected);
        this.applyInline(changes, result.events, options);
        return result;
      },
      appendMany: async (appends: readonly StreamAppend[], options) => {
        check();
        checkDistinctStreams(appends);
        if (appends.some((a) => !a.events.length)) throw new Error('appendMany: every stream needs at least one event');
        // Check every stream first: a mismatch stages nothing.
        for (const a of appends) {
          const prior = pending.get(a.streamId);
          const actual = prior?.events.length ? prior.events[prior.events.length - 1].revision : this.revisionOf(a.streamId);
          if (!revisionMatches(a.expected, actual)) throw new ExpectedVersionConflict(a.streamId, a.expected, actual);
        }
        const results = appends.map((a) => appendOne(a.streamId, a.events, a.expected));
        this.applyInline(
          changes,
          results.flatMap((r) => r.events),
          options,
        );
        return results;
      },
      readStream: async (streamId, options = {}) => {
        check();
        return sliceStream([...(this.streams.get(streamId) ?? []), ...(pending.get(streamId)?.events ?? [])], options);
      },
      readStreams: async (query, options) => {
        check();
        return readStreamsOf([...this.log, ...own()], query, options);
      },
      readEvents: async (ids) => {
        check();
        const mine = new Map(own().map((e) => [e.eventId, e]));
        return this.eventsById(ids, (id) => this.byId.get(id) ?? mine.get(id));
      },
      restore: async (archive: AsyncIterable<ArchivedEvent>) => {
        check();
        if (this.log.length || pending.size || restored.length) throw new LogNotEmpty();
        for await (const a of archive) {
          const up = upcast(a.type, a.schemaVersion, a.data, a.metadata);
          const e: RecordedEvent = { ...a, schemaVersion: up.schemaVersion, data: structuredClone(up.data), metadata: { ...a.metadata }, checkpoint: '' };
          this.written.set(e, { schemaVersion: a.schemaVersion, data: structuredClone(a.data) });
          restored.push(e);
        }
        return restored.length;
      },
    };
    try {
      const value = await work(uow);
      open = false;
      this.commit(pending, changes, restored);
      return value;
    } finally {
      open = false;
    }
  }

  async atSnapshot<T>(work: (reader: SnapshotReader) => Promise<T>): Promise<T> {
    const upTo = this.log.length;
    let open = true;
    const view = () => {
      if (!open) throw new Error('this snapshot has ended: use it only inside its atSnapshot callback');
      return this.log.slice(0, upTo);
    };
    const seen = (e: RecordedEvent | undefined) => (e && Number(e.checkpoint) <= upTo ? e : undefined);
    const reader: SnapshotReader = {
      sql: null,
      readStream: async (streamId, options = {}) => {
        view();
        return sliceStream(
          (this.streams.get(streamId) ?? []).filter((e) => seen(e)),
          options,
        );
      },
      readStreams: async (query, options) => readStreamsOf(view(), query, options),
      readEvents: async (ids) => {
        view();
        return this.eventsById(ids, (id) => seen(this.byId.get(id)));
      },
      readAll: async (from, limit, filter) => this.readFrom(view(), from, limit, filter),
      scan: (filter, options = {}) => {
        const pageSize = Math.max(1, Math.floor(options.pageSize ?? 1000));
        const readFrom = this.readFrom.bind(this);
        const written = this.written;
        return (async function* () {
          const asWritten = (e: RecordedEvent): RecordedEvent => ({ ...e, ...written.get(e)! });
          if (options.order === 'position') {
            if (options.from) throw new Error('a read in position order does not resume from a checkpoint: narrow it by positions');
            const all = readFrom(view(), null, Number.MAX_SAFE_INTEGER, filter).sort((a, b) => (a.position < b.position ? -1 : 1));
            for (let i = 0; i < all.length; i += pageSize) yield options.stored ? all.slice(i, i + pageSize).map(asWritten) : all.slice(i, i + pageSize);
            return;
          }
          for (let from = options.from ?? null; ;) {
            const page = readFrom(view(), from, pageSize, filter);
            if (page.length) yield options.stored ? page.map(asWritten) : page;
            if (page.length < pageSize) return;
            from = page[page.length - 1].checkpoint;
          }
        })();
      },
    };
    try {
      return await work(reader);
    } finally {
      open = false;
    }
  }

  /** A re-append of stored event ids is a no-op that answers with the stored events. */
  private replayOf(events: readonly EventToAppend[]): AppendResult | null {
    const ids = events.map((e) => e.eventId).filter((id): id is string => !!id);
    const known = ids.map((id) => this.byId.get(id)).filter((e): e is RecordedEvent => !!e);
    if (!known.length) return null;
    if (known.length !== events.length) throw new Error('some events of this batch are stored already, others are not');
    return resultOf(known);
  }

  private revisionOf(streamId: string): bigint {
    return BigInt(this.streams.get(streamId)?.length ?? 0) - 1n;
  }

  /** Checks `expected` against `actual` and builds the events (positions taken now), not yet committed. */
  private write(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, actual: bigint): Staged {
    if (events.length === 0) throw new Error('append needs at least one event');
    if (!revisionMatches(expected, actual)) throw new ExpectedVersionConflict(streamId, expected, actual);
    const recordedAt = this.now();
    const recorded = events.map((e, i): RecordedEvent => {
      const position = ++this.lastPosition;
      const metadata = { occurredAt: recordedAt.toISOString(), ...e.metadata };
      const up = upcast(e.type, e.schemaVersion ?? 1, e.data ?? null, metadata);
      const event: RecordedEvent = {
        eventId: e.eventId ?? randomUUID(),
        streamId,
        revision: actual + 1n + BigInt(i),
        position,
        type: e.type,
        schemaVersion: up.schemaVersion,
        data: structuredClone(up.data),
        metadata,
        recordedAt,
        checkpoint: '', // set at commit
      };
      this.written.set(event, { schemaVersion: e.schemaVersion ?? 1, data: structuredClone(e.data ?? null) });
      return event;
    });
    return { base: actual, events: recorded };
  }

  /**
   * Folds `events` into the inline projections' rows as `changes` (a unit's, on top of the
   * committed rows) has them; known rows, where given, replace the stored ones as the start.
   */
  private applyInline(changes: RowChanges, events: readonly RecordedEvent[], options?: AppendOptions): void {
    for (const [p, mine] of this.inline.affected(events)) {
      const mineChanges = changes.get(p.name) ?? new Map<string, Row | null>();
      changes.set(p.name, mineChanges);
      const known = options?.knownRows?.[p.name];
      const started = new Set<string>();
      for (const e of mine) {
        for (const key of p.keysOf(e)) {
          let row: Row | null;
          if (!started.has(key) && known?.has(key)) {
            const doc = known.get(key);
            row = doc === null || doc === undefined ? null : { doc, streamId: null, revision: null };
          } else row = mineChanges.has(key) ? mineChanges.get(key)! : (this.rows.get(p.name)?.get(key) ?? null);
          started.add(key);
          if (row && row.streamId === e.streamId && row.revision !== null && row.revision >= e.revision) continue;
          const next = p.evolve(row ? structuredClone(row.doc) : null, e, key);
          mineChanges.set(key, next === null ? null : { doc: next, streamId: e.streamId, revision: e.revision });
        }
      }
    }
  }

  /**
   * Commits staged appends and their inline rows all or nothing: every stream must still be where
   * the unit found it (a unit that committed meanwhile wins; this one gets ExpectedVersionConflict).
   */
  private commit(pending: ReadonlyMap<string, Staged>, changes: RowChanges, restored: readonly RecordedEvent[]): void {
    if (restored.length && this.log.length) throw new LogNotEmpty();
    for (const [streamId, s] of pending) {
      const actual = this.revisionOf(streamId);
      if (actual !== s.base) throw new ExpectedVersionConflict(streamId, s.base < 0n ? 'no_stream' : s.base, actual);
      for (const e of s.events) if (this.byId.has(e.eventId)) throw new Error(`event ${e.eventId} is stored already`);
    }
    const committed = [...restored, ...[...pending.values()].flatMap((s) => s.events)];
    if (!committed.length) return;
    const startedAt = committed.reduce((min, e) => (e.recordedAt < min ? e.recordedAt : min), committed[0].recordedAt);
    for (const e of restored) this.lastPosition = e.position > this.lastPosition ? e.position : this.lastPosition;
    for (const e of committed) {
      // The same objects the unit's appends returned: their checkpoint is known only now.
      (e as { checkpoint: Checkpoint }).checkpoint = String(this.log.length + 1);
      this.log.push(e);
      const stream = this.streams.get(e.streamId) ?? [];
      stream.push(e);
      this.streams.set(e.streamId, stream);
      this.byId.set(e.eventId, e);
      this.commitStart.set(e, startedAt);
    }
    for (const [name, rows] of changes) {
      const table = this.rows.get(name) ?? new Map<string, Row>();
      for (const [key, row] of rows) {
        if (row === null) table.delete(key);
        else table.set(key, row);
      }
      this.rows.set(name, table);
    }
    this.waker.wake();
  }

  private readFrom(log: readonly RecordedEvent[], from: Checkpoint | null, limit: number, filter?: EventFilter): RecordedEvent[] {
    const out: RecordedEvent[] = [];
    for (let i = from ? Number(from) : 0; i < log.length && out.length < limit; i++) {
      if (!filter || eventMatches(filter, log[i], this.commitStart.get(log[i]))) out.push(log[i]);
    }
    return out;
  }

  private eventsById(ids: readonly string[], find: (id: string) => RecordedEvent | undefined): RecordedEvent[] {
    // Log order; a unit's own, not yet committed events come last, in the order it wrote them.
    const order = (e: RecordedEvent) => (e.checkpoint ? Number(e.checkpoint) : Number.MAX_SAFE_INTEGER);
    const found = [...new Set(ids)].map(find).filter((e): e is RecordedEvent => !!e);
    return found.sort((a, b) => order(a) - order(b) || Number(a.position - b.position));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return sliceStream(this.streams.get(streamId) ?? [], options);
  }

  async readStreams(query: StreamsQuery, options?: ReadStreamsOptions): Promise<RecordedEvent[]> {
    return readStreamsOf(this.log, query, options);
  }

  async readEvents(eventIds: readonly string[]): Promise<RecordedEvent[]> {
    return this.eventsById(eventIds, (id) => this.byId.get(id));
  }

  async readAll(from: Checkpoint | null, limit: number, filter?: EventFilter): Promise<RecordedEvent[]> {
    return this.readFrom(this.log, from, limit, filter);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return startSubscription(this, this.waker, options, 50);
  }

  async head(): Promise<LogEnd | null> {
    const e = this.log[this.log.length - 1];
    return e ? { checkpoint: e.checkpoint, position: e.position, recordedAt: e.recordedAt } : null;
  }

  async countAfter(from: Checkpoint | null, cap: number): Promise<number> {
    const after = from === null ? 0 : Number(from);
    return Math.min(cap, Math.max(0, this.log.length - after));
  }

  async oldestRecordedAt(): Promise<Date | null> {
    return this.log.reduce<Date | null>((min, e) => (min === null || e.recordedAt < min ? e.recordedAt : min), null);
  }

  isCheckpoint(text: string): boolean {
    return /^[1-9]\d{0,14}$/.test(text);
  }

  async close(): Promise<void> {
    this.waker.wake();
  }
}

function sliceStream(all: readonly RecordedEvent[], options: ReadStreamOptions): RecordedEvent[] {
  const from = Number(options.fromRevision ?? 0n);
  return all.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount);
}

/** Streams grouped and ordered by id, each in revision order, after `options.after`. */
function readStreamsOf(log: readonly RecordedEvent[], query: StreamsQuery, options: ReadStreamsOptions = {}): RecordedEvent[] {
  const after = options.after;
  const wanted = log
    .filter((e) => streamEventWanted(query, e))
    .filter((e) => !after || e.streamId > after.streamId || (e.streamId === after.streamId && e.revision > after.revision))
    .sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : Number(a.revision - b.revision)));
  return options.limit === undefined ? wanted : wanted.slice(0, options.limit);
}

function resultOf(events: readonly RecordedEvent[]): AppendResult {
  return { nextRevision: events[events.length - 1].revision, positions: events.map((e) => e.position), events: [...events] };
}
