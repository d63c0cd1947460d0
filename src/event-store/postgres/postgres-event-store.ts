import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import type { EventFilter, ReadStreamsOptions, StreamsQuery } from '../event-filter';
import { AppendOptions, EventStore, InlineProjection, LogEnd, ReadStreamOptions, SnapshotReader, SubscribeOptions, Subscription } from '../event-store.port';
import { ExpectedVersionConflict } from '../expected-version-conflict.error';
import { InlineProjections } from '../inline-projections';
import { startSubscription } from '../subscription';
import type { SqlSession, StreamAppend, TransactOptions, UnitOfWork } from '../unit-of-work';
import { prepareAppend, runAppend } from './append-many';
import { AppendGroups } from './append-groups';
import { applyEvents } from './apply-events';
import { decodeCheckpoint, isCheckpoint } from './checkpoint';
import { EVENT_COLUMNS, EventRow, eventFromRow, readAllOn, readEventsOn, readStreamOn, readStreamsOn, streamReadable } from './event-reads';
import { EventNotifier } from './event-notifier';
import { PostgresSnapshotReader } from './postgres-snapshot';
import { PostgresUnitOfWork } from './postgres-unit-of-work';
import { liveTable } from './row-store';
import { collidedRevision } from './unique-violation';
import { READ_HORIZON } from './read-horizon.sql';

export interface PostgresEventStoreOptions {
  /** Fallback poll of subscribers (ms). */
  readonly pollMs?: number;
  /** Connections grouped appends use at once (EVENT_APPEND_CONNECTIONS). */
  readonly appendConnections?: number;
  /** Most appends in one group (EVENT_APPEND_GROUP_MAX). */
  readonly appendGroupMax?: number;
}

/** Anything that can run a query: the pool, or a client inside a caller's transaction. */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

const MAX_ANY_RETRIES = 20;

const APPEND_ARGS = `($1, $2, $3, $4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[])`;
/**
 * In a unit of work the unit's commit makes the events visible, and subscribers are notified after
 * it (coalesced), not by a NOTIFY inside it: PostgreSQL serialises notifying commits on one
 * cluster-wide lock held across the WAL flush (migration 0002, docs/performance.md). Appends on
 * the store's own connections go through AppendGroups, notified the same way.
 * Named statements: parsed and planned once per connection.
 */
const APPEND_UNNOTIFIED = { name: 'ol_append_unnotified', text: `SELECT * FROM ol_append_unnotified${APPEND_ARGS}` };
/** In a caller's transaction only its commit makes the events visible: NOTIFY inside it. */
const APPEND_IN_TRANSACTION = { name: 'ol_append', text: `SELECT * FROM ol_append${APPEND_ARGS}` };
const NOTIFY = { name: 'ol_notify', text: `SELECT pg_notify('ol_events', '')` };
const NOTIFY_COALESCE_MS = 2;

export class PostgresEventStore implements EventStore {
  private readonly notifier: EventNotifier;
  private readonly pollMs: number;
  private readonly inline = new InlineProjections();
  private notifying: Promise<void> | null = null;
  private notifyState: 'idle' | 'waiting' | 'sending' = 'idle';
  private notifyAgain = false;

  private readonly groups: AppendGroups;

  constructor(
    readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.notifier = new EventNotifier(pool, this.pollMs);
    this.groups = new AppendGroups(pool, { connections: options.appendConnections ?? 4, maxMembers: options.appendGroupMax ?? 64 });
  }

  registerInline<Row>(projection: InlineProjection<Row>): void {
    this.inline.register(projection);
  }

  /**
   * Alone, an append is one statement in its own implicit transaction. When an inline projection
   * handles one of its events, it runs as a unit instead, so the rows commit with the events (a
   * loose expectation that loses a race is retried, as alone).
   */
  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult> {
    if (this.inline.concern(events)) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.transact((uow) => uow.append(streamId, events, expected, options));
        } catch (err) {
          // A concurrent append took the revision (a stream that exists: not a real mismatch), or
          // stored the same event ids (the retry answers with them).
          const lostRace = err instanceof ExpectedVersionConflict && (expected === 'any' || (expected === 'stream_exists' && err.actual >= 0n));
          const e = err as { code?: string; constraint?: string };
          const sameIds = e.code === '23505' && e.constraint === 'events_event_id_key';
          if ((lostRace || sameIds) && attempt < MAX_ANY_RETRIES) continue;
          throw err;
        }
      }
    }
    const result = await this.appendGrouped(streamId, events, expected);
    this.notifyAppended();
    return result;
  }

  /**
   * One autocommit statement (no BEGIN/COMMIT round trips) when the inline rows can be folded
   * before the insert (prepareAppend); otherwise a unit of work holding the appendMany.
   */
  async appendMany(appends: readonly StreamAppend[], options?: AppendOptions): Promise<AppendResult[]> {
    if (!appends.length) return [];
    const prepared = prepareAppend(appends, this.inline, options);
    if (prepared.rows === null) return this.transact((uow) => uow.appendMany(appends, options));
    const results = await runAppend(this.pool, prepared, prepared.rows);
    this.notifyAppended();
    return results;
  }

  /** Alone: in a group with whatever other appends wait at the moment (AppendGroups), one commit for all. */
  private async appendGrouped(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const now = new Date().toISOString();
    const ids = events.map((e) => e.eventId ?? randomUUID());
    const metas = events.map((e) => ({ occurredAt: now, ...e.metadata }));
    const { rows } = await this.groups.append({
      streamId,
      expected,
      ids,
      types: events.map((e) => e.type),
      versions: events.map((e) => e.schemaVersion ?? 1),
      data: events.map((e) => JSON.stringify(e.data ?? null)),
      meta: metas.map((m) => JSON.stringify(m)),
    });
    const byId = new Map(events.map((e, i) => [ids[i], { e, meta: metas[i] }]));
    const recorded = rows.map((r) => {
      const { e, meta } = byId.get(r.eventId)!;
      return eventFromRow({
        position: r.position,
        stream_id: streamId,
        revision: r.revision,
        event_id: r.eventId,
        type: e.type,
        schema_version: e.schemaVersion ?? 1,
        data: e.data ?? null,
        metadata: meta,
        recorded_at: r.recordedAt,
        transaction_id: r.tx,
      });
    });
    return { nextRevision: recorded[recorded.length - 1].revision, positions: recorded.map((e) => e.position), events: recorded };
  }

  /**
   * One transaction on one pooled connection for the whole unit. Its appends use the unnotified
   * append; subscribers hear of them by the coalesced NOTIFY after the commit.
   */
  async transact<T>(work: (uow: UnitOfWork) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    return this.onClient(`BEGIN${options.sqlSetup ? `; ${options.sqlSetup}` : ''}`, async (client) => {
      const uow = new PostgresUnitOfWork(
        client,
        {
          append: async (streamId, events, expected, opts) => {
            const { result, replayed } = await this.appendOn(client, streamId, events, expected, 'unit');
            if (!replayed) await this.applyInline(client, result.events, opts);
            return result;
          },
          readStream: (streamId, opts) => readStreamOn(client, streamId, opts),
        },
        (events, opts) => this.applyInline(client, events, opts),
        this.inline,
      );
      try {
        const value = await work(uow);
        uow.finish();
        await client.query('COMMIT');
        if (uow.appended) this.notifyAppended();
        return value;
      } finally {
        uow.finish();
      }
    });
  }

  async atSnapshot<T>(work: (reader: SnapshotReader) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    return this.onClient(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY${options.sqlSetup ? `; ${options.sqlSetup}` : ''}`, async (client) => {
      const reader = new PostgresSnapshotReader(client);
      try {
        const value = await work(reader);
        reader.finish();
        await client.query('COMMIT');
        return value;
      } finally {
        reader.finish();
      }
    });
  }

  /**
   * A pooled connection in a transaction begun with `begin`; ROLLBACK when `work` throws (it must
   * COMMIT itself). A checked-out client has no pool listener: a backend killed between two
   * statements would otherwise raise an unhandled 'error', so the client is watched and, if it
   * broke, discarded instead of going back to the pool.
   */
  private async onClient<T>(begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      await client.query(begin);
      return await work(client);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Folds appended events into every inline projection that handles them, on `db` (the append's transaction). */
  private async applyInline(db: SqlSession, events: readonly RecordedEvent[], options?: AppendOptions): Promise<void> {
    for (const [projection, mine] of this.inline.affected(events)) {
      await applyEvents(db, projection, mine, liveTable(projection.name), options?.knownRows?.[projection.name]);
    }
  }

  /**
   * Wakes subscribers in every process after an append committed. A NOTIFY goes out
   * NOTIFY_COALESCE_MS after the first append of a burst and covers every append that committed
   * before it is sent; appends finishing while it is on its way get one more. So a busy store
   * sends a few hundred NOTIFYs a second, none holds an append's commit, and a subscriber hears of
   * an append within a few milliseconds (a lost one costs a poll interval).
   */
  private notifyAppended(): void {
    if (this.notifyState === 'waiting') return;
    if (this.notifyState === 'sending') {
      this.notifyAgain = true;
      return;
    }
    this.notifyState = 'waiting';
    this.notifying = (async () => {
      do {
        this.notifyAgain = false;
        this.notifyState = 'waiting';
        await new Promise((r) => setTimeout(r, NOTIFY_COALESCE_MS));
        this.notifyState = 'sending';
        await this.pool.query(NOTIFY).catch(() => undefined);
      } while (this.notifyAgain);
      this.notifyState = 'idle';
      this.notifying = null;
    })();
  }

  /**
   * PostgreSQL only: appends inside a transaction the caller runs (NOTIFY inside it), with the
   * inline projections. Production code uses `transact`; tests and benchmarks use this to hold a
   * transaction open or to measure the in-transaction NOTIFY.
   */
  async appendWith(db: Queryable, streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (db === this.pool) return this.append(streamId, events, expected);
    const { result, replayed } = await this.appendOn(db, streamId, events, expected, 'caller-transaction');
    if (!replayed) await this.applyInline(db, result.events);
    return result;
  }

  /**
   * Inside a transaction: `caller-transaction`, one the caller runs (NOTIFY inside it); `unit`, a
   * unit of work, which notifies after its commit. `replayed`: the events were stored already (an
   * idempotent retry).
   */
  private async appendOn(
    db: Queryable,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    mode: 'caller-transaction' | 'unit',
  ): Promise<{ result: AppendResult; replayed: boolean }> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const now = new Date().toISOString();
    const ids = events.map((e) => e.eventId ?? randomUUID());
    const params = [
      streamId,
      typeof expected === 'bigint' ? 'exact' : expected,
      typeof expected === 'bigint' ? expected.toString() : null,
      ids,
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion ?? 1),
      events.map((e) => JSON.stringify(e.data ?? null)),
      events.map((e) => JSON.stringify({ occurredAt: now, ...e.metadata })),
    ];
    try {
      const { rows } = await db.query<{ o_position: string; o_revision: string; o_event_id: string; o_tx: string; o_recorded_at: Date; o_replayed: boolean }>({
        ...(mode === 'caller-transaction' ? APPEND_IN_TRANSACTION : APPEND_UNNOTIFIED),
        values: params,
      });
      const byId = new Map(events.map((e, i) => [ids[i], e]));
      const recorded = rows.map((r) => {
        const e = byId.get(r.o_event_id)!;
        return eventFromRow({
          position: r.o_position,
          stream_id: streamId,
          revision: r.o_revision,
          event_id: r.o_event_id,
          type: e.type,
          schema_version: e.schemaVersion ?? 1,
          data: e.data ?? null,
          metadata: { occurredAt: now, ...e.metadata },
          recorded_at: r.o_recorded_at,
          transaction_id: r.o_tx,
        });
      });
      return {
        result: { nextRevision: recorded[recorded.length - 1].revision, positions: recorded.map((r) => r.position), events: recorded },
        replayed: rows.some((r) => r.o_replayed),
      };
    } catch (err) {
      const e = err as { code?: string; constraint?: string; detail?: string };
      if (e.code === 'OL409') throw new ExpectedVersionConflict(streamId, expected, BigInt(e.detail ?? '-1'));
      // A concurrent append took the same revision first: the transaction is aborted, so the
      // caller decides. The revision that collided is the best known (a lookup would need a
      // second connection while this one is held: a pool of waiting units could starve it).
      if (e.code === '23505' && e.constraint === 'events_stream_revision_key')
        throw new ExpectedVersionConflict(streamId, expected, collidedRevision(e.detail));
      throw err;
    }
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return readStreamOn(this.pool, streamId, options);
  }

  readStreams(query: StreamsQuery, options?: ReadStreamsOptions): Promise<RecordedEvent[]> {
    return readStreamsOn(this.pool, query, options);
  }

  readEvents(eventIds: readonly string[]): Promise<RecordedEvent[]> {
    return readEventsOn(this.pool, eventIds);
  }

  /**
   * Gap-safe, up to the readable head. The projection runner may pass, instead of a filter, the
   * SQL transaction to read in (its swap reads under the live table's lock).
   */
  readAll(from: Checkpoint | null, limit: number, filter?: EventFilter | Queryable): Promise<RecordedEvent[]> {
    if (filter && typeof (filter as Queryable).query === 'function') return readAllOn(filter as Queryable, from, limit, undefined, 'readable');
    return readAllOn(this.pool, from, limit, filter as EventFilter | undefined, 'readable');
  }

  /**
   * Every committed event after `from` of the given types, in commit order, WITHOUT gap safety:
   * an event committed by a later transaction may come before one an older, still open
   * transaction commits afterwards. Only for folds whose rows each follow one stream (inline
   * projections at the runner's swap), where per-stream order is all that matters.
   */
  readCommittedAfter(from: Checkpoint | null, types: readonly string[], limit: number, db: Queryable = this.pool): Promise<RecordedEvent[]> {
    return readAllOn(db, from, limit, { types }, 'committed');
  }

  /** The readable log after `from` through one cursor, page by page (see streamReadable): a rebuild's pass. */
  streamAll(
    from: Checkpoint | null,
    options: { limit: number; pageSize: number; types?: readonly string[] },
    onPage: (events: RecordedEvent[]) => Promise<void>,
  ): Promise<number> {
    return streamReadable(this.pool, from, options, onPage);
  }

  /** Sleeps until the next NOTIFY of an append (any process) or `ms`, whichever comes first. */
  waitForAppend(ms: number, signal?: AbortSignal): Promise<void> {
    return this.notifier.wait(ms, signal);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return startSubscription(this, this.notifier, options, this.pollMs);
  }

  async head(): Promise<LogEnd | null> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE events.transaction_id < ${READ_HORIZON}
        ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`,
    );
    if (!rows.length) return null;
    const e = eventFromRow(rows[0]);
    return { checkpoint: e.checkpoint, position: e.position, recordedAt: e.recordedAt };
  }

  async countAfter(from: Checkpoint | null, cap: number): Promise<number> {
    const { txId, position } = decodeCheckpoint(from);
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM events
          WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
            AND events.transaction_id < ${READ_HORIZON}
          LIMIT $3) behind`,
      [txId, position.toString(), cap],
    );
    return rows[0].n;
  }

  async oldestRecordedAt(): Promise<Date | null> {
    const { rows } = await this.pool.query<{ first: Date | null }>('SELECT min(recorded_at) AS first FROM events');
    return rows[0].first;
  }

  isCheckpoint(text: string): boolean {
    return isCheckpoint(text);
  }

  async close(): Promise<void> {
    await this.notifying;
    await this.notifier.close();
  }
}

/** The store as the port, for composition roots (the app's DatabaseModule, the CLIs). */
export function postgresEventStore(pool: Pool, options: PostgresEventStoreOptions = {}): EventStore {
  return new PostgresEventStore(pool, options);
}
