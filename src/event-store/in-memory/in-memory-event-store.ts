import { randomUUID } from 'node:crypto';
import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import { EventStore, ReadStreamOptions, SubscribeOptions, Subscription } from '../event-store.port';
import { ExpectedVersionConflict, revisionMatches } from '../expected-version-conflict.error';
import { startSubscription } from '../subscription';
import { upcast } from '../upcasters';
import { LocalWaker } from '../waker';

/** The same contract in memory, for decider and handler unit tests. Not for production. */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly waker = new LocalWaker();
  /** Lets tests pin recordedAt. */
  now: () => Date = () => new Date();

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const ids = events.map((e) => e.eventId ?? randomUUID());
    const known = ids.map((id) => this.byId.get(id)).filter((e): e is RecordedEvent => !!e);
    if (known.length === ids.length) {
      return { nextRevision: known[known.length - 1].revision, positions: known.map((e) => e.position), events: known };
    }
    if (known.length > 0) throw new Error('some events of this batch are stored already, others are not');
    const stream = this.streams.get(streamId) ?? [];
    const actual = BigInt(stream.length) - 1n;
    if (!revisionMatches(expected, actual)) throw new ExpectedVersionConflict(streamId, expected, actual);
    const recordedAt = this.now();
    const recorded = events.map((e, i): RecordedEvent => {
      const position = BigInt(this.log.length + i + 1);
      const metadata = { occurredAt: recordedAt.toISOString(), ...e.metadata };
      const up = upcast(e.type, e.schemaVersion ?? 1, e.data ?? null, metadata);
      return {
        eventId: ids[i],
        streamId,
        revision: actual + 1n + BigInt(i),
        position,
        type: e.type,
        schemaVersion: up.schemaVersion,
        data: structuredClone(up.data),
        metadata,
        recordedAt,
        checkpoint: position.toString(),
      };
    });
    for (const e of recorded) {
      this.log.push(e);
      stream.push(e);
      this.byId.set(e.eventId, e);
    }
    this.streams.set(streamId, stream);
    this.waker.wake();
    return { nextRevision: recorded[recorded.length - 1].revision, positions: recorded.map((e) => e.position), events: recorded };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = Number(options.fromRevision ?? 0n);
    const all = this.streams.get(streamId) ?? [];
    return all.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount);
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
