import { randomUUID } from 'node:crypto';
import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import { EventStore, ReadStreamOptions, SubscribeOptions, Subscription } from '../event-store.port';
import { ExpectedVersionConflict, revisionMatches } from '../expected-version-conflict.error';
import { startSubscription } from '../subscription';
import { checkDistinctStreams, StreamAppend, UnitOfWork } from '../unit-of-work';
import { upcast } from '../upcasters';
import { LocalWaker } from '../../shared/waker';

/** Appends a unit has made but not committed, per stream, with the committed revision they build on. */
interface Staged {
  readonly base: bigint;
  readonly events: RecordedEvent[];
}

/**
 * The same contract in memory, for decider and handler unit tests. Not for production.
 * Positions are taken when an event is written (as PostgreSQL's identity does), the log's order
 * is commit order, and a checkpoint is a place in that order.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly waker = new LocalWaker();
  private lastPosition = 0n;
  /** Lets tests pin recordedAt. */
  now: () => Date = () => new Date();

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const replay = this.replayOf(events);
    if (replay) return replay;
    const staged = this.write(streamId, events, expected, this.revisionOf(streamId));
    this.commit(new Map([[streamId, staged]]));
    return resultOf(staged.events);
  }

  async transact<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    const pending = new Map<string, Staged>();
    let open = true;
    const check = () => {
      if (!open) throw new Error('this unit of work has ended: use it only inside its transact callback');
    };
    const appendOne = (streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult => {
      const prior = pending.get(streamId);
      const staged = this.write(streamId, events, expected, prior ? prior.events[prior.events.length - 1]?.revision ?? prior.base : this.revisionOf(streamId));
      pending.set(streamId, { base: prior?.base ?? this.revisionOf(streamId), events: [...(prior?.events ?? []), ...staged.events] });
      return resultOf(staged.events);
    };
    const uow: UnitOfWork = {
      sql: null,
      append: async (streamId, events, expected) => {
        check();
        return this.replayOf(events) ?? appendOne(streamId, events, expected);
      },
      appendMany: async (appends: readonly StreamAppend[]) => {
        check();
        checkDistinctStreams(appends);
        if (appends.some((a) => !a.events.length)) throw new Error('appendMany: every stream needs at least one event');
        // Check every stream first: a mismatch stages nothing.
        for (const a of appends) {
          const prior = pending.get(a.streamId);
          const actual = prior?.events.length ? prior.events[prior.events.length - 1].revision : this.revisionOf(a.streamId);
          if (!revisionMatches(a.expected, actual)) throw new ExpectedVersionConflict(a.streamId, a.expected, actual);
        }
        return appends.map((a) => appendOne(a.streamId, a.events, a.expected));
      },
      readStream: async (streamId, options = {}) => {
        check();
        return sliceStream([...(this.streams.get(streamId) ?? []), ...(pending.get(streamId)?.events ?? [])], options);
      },
    };
    try {
      const value = await work(uow);
      open = false;
      this.commit(pending);
      return value;
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
      return {
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
    });
    return { base: actual, events: recorded };
  }

  /**
   * Commits staged appends all or nothing: every stream must still be where the unit found it
   * (a unit that committed meanwhile wins; this one gets ExpectedVersionConflict).
   */
  private commit(pending: ReadonlyMap<string, Staged>): void {
    for (const [streamId, s] of pending) {
      const actual = this.revisionOf(streamId);
      if (actual !== s.base) throw new ExpectedVersionConflict(streamId, s.base < 0n ? 'no_stream' : s.base, actual);
      for (const e of s.events) if (this.byId.has(e.eventId)) throw new Error(`event ${e.eventId} is stored already`);
    }
    for (const [streamId, s] of pending) {
      const stream = this.streams.get(streamId) ?? [];
      for (const e of s.events) {
        // The same objects the unit's appends returned: their checkpoint is known only now.
        (e as { checkpoint: Checkpoint }).checkpoint = String(this.log.length + 1);
        this.log.push(e);
        stream.push(e);
        this.byId.set(e.eventId, e);
      }
      this.streams.set(streamId, stream);
    }
    if (pending.size) this.waker.wake();
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return sliceStream(this.streams.get(streamId) ?? [], options);
  }

  async readAll(from: Checkpoint | null, limit: number): Promise<RecordedEvent[]> {
    const start = from ? Number(from) : 0;
    return this.log.slice(start, start + limit);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return startSubscription(this, this.waker, options, 50);
  }

  async head() {
    const e = this.log[this.log.length - 1];
    return e ? { checkpoint: e.checkpoint, position: e.position, recordedAt: e.recordedAt } : null;
  }

  async close(): Promise<void> {
    this.waker.wake();
  }
}

function sliceStream(all: readonly RecordedEvent[], options: ReadStreamOptions): RecordedEvent[] {
  const from = Number(options.fromRevision ?? 0n);
  return all.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount);
}

function resultOf(events: readonly RecordedEvent[]): AppendResult {
  return { nextRevision: events[events.length - 1].revision, positions: events.map((e) => e.position), events: [...events] };
}
