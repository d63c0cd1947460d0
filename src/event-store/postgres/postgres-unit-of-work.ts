import type { PoolClient } from 'pg';
import type { AppendResult, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import type { ReadStreamsOptions, StreamsQuery } from '../event-filter';
import type { AppendOptions, ReadStreamOptions } from '../event-store.port';
import type { InlineProjections } from '../inline-projections';
import { ArchivedEvent, SqlSession, StreamAppend, UnitOfWork } from '../unit-of-work';
import { prepareAppend, runAppend } from './append-many';
import { readEventsOn, readStreamsOn } from './event-reads';
import { restoreLog } from './restore-log';

/** A unit of work on one pooled connection inside BEGIN … COMMIT (PostgresEventStore.transact). */
export class PostgresUnitOfWork implements UnitOfWork {
  appended = false;
  private finished = false;

  constructor(
    private readonly client: PoolClient,
    /** The store's single-stream append and read, on this unit's connection. */
    private readonly one: Pick<UnitOfWork, 'append' | 'readStream'>,
    /** Folds appended events into the store's inline projections, on this unit's connection. */
    private readonly applyInline: (events: readonly RecordedEvent[], options?: AppendOptions) => Promise<void>,
    /** The store's inline projections (appendMany folds them into its statement where it can). */
    private readonly inline: InlineProjections,
  ) {}

  get sql(): SqlSession {
    this.check();
    return this.client;
  }

  /** Called by transact when the work is over: later use is a bug (the connection is back in the pool). */
  finish(): void {
    this.finished = true;
  }

  private check(): void {
    if (this.finished) throw new Error('this unit of work has ended: use it only inside its transact callback');
  }

  /** The store's append applies the inline projections itself (it knows which events were replays). */
  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult> {
    this.check();
    const result = await this.one.append(streamId, events, expected, options);
    this.appended = true;
    return result;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.check();
    return this.one.readStream(streamId, options);
  }

  async readStreams(query: StreamsQuery, options?: ReadStreamsOptions): Promise<RecordedEvent[]> {
    this.check();
    return readStreamsOn(this.client, query, options);
  }

  async readEvents(eventIds: readonly string[]): Promise<RecordedEvent[]> {
    this.check();
    return readEventsOn(this.client, eventIds);
  }

  async restore(archive: AsyncIterable<ArchivedEvent>): Promise<number> {
    this.check();
    const n = await restoreLog(this.client, archive);
    if (n) this.appended = true;
    return n;
  }

  /** One statement; the inline rows go in it when they can be folded before the insert (see prepareAppend), else after it. */
  async appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]> {
    this.check();
    if (!appends.length) return [];
    const prepared = prepareAppend(appends, this.inline, options);
    const results = await runAppend(this.client, prepared, prepared.rows ?? []);
    this.appended = true;
    if (prepared.rows === null)
      await this.applyInline(
        results.flatMap((r) => r.events),
        options,
      );
    return results;
  }
}
