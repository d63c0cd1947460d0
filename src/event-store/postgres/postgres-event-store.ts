import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { AppendResult, Checkpoint, EventToAppend, ExpectedRevision, RecordedEvent } from '../envelope';
import { EventStore, ReadStreamOptions, SubscribeOptions, Subscription } from '../event-store.port';
import { ExpectedVersionConflict } from '../expected-version-conflict.error';
import type { TransactOptions, UnitOfWork } from '../unit-of-work';
import { PostgresUnitOfWork } from './postgres-unit-of-work';
import { collidedRevision } from './unique-violation';
import { upcast } from '../upcasters';
import { EventNotifier } from './event-notifier';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { startSubscription } from '../subscription';

/** Anything that can run a query: the pool, or a client inside a caller's transaction. */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

/** An `events` row as `EVENT_COLUMNS` selects it. */
export interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  transaction_id: string;
}

/** The columns every reader of `events` selects, for `eventFromRow`. */
export const EVENT_COLUMNS = `position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, transaction_id::text AS transaction_id`;

/**
 * Only commits that no open transaction can precede are readable (see DESIGN "Event store").
 * ORDER BY names the table's columns: a bare `transaction_id` would bind to the text alias of the
 * select list and sort "1000" before "999".
 */
export const READ_ALL_SQL = `
  SELECT ${EVENT_COLUMNS} FROM events
   WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
     AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   ORDER BY events.transaction_id, events.position
   LIMIT $3`;

const MAX_ANY_RETRIES = 20;

const APPEND_ARGS = `($1, $2, $3, $4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[])`;
/**
 * On the store's own connections the append commits by itself, so subscribers are notified after
 * the commit (coalesced), not by a NOTIFY inside it: PostgreSQL serialises notifying commits on
 * one cluster-wide lock held across the WAL flush (migration 0002, docs/performance.md).
 * Named statements: parsed and planned once per connection.
 */
const APPEND_ALONE = { name: 'ol_append_unnotified', text: `SELECT * FROM ol_append_unnotified${APPEND_ARGS}` };
/** In a caller's transaction only its commit makes the events visible: NOTIFY inside it. */
const APPEND_IN_TRANSACTION = { name: 'ol_append', text: `SELECT * FROM ol_append${APPEND_ARGS}` };
const NOTIFY = { name: 'ol_notify', text: `SELECT pg_notify('ol_events', '')` };
const NOTIFY_COALESCE_MS = 2;

export class PostgresEventStore implements EventStore {
  private readonly notifier: EventNotifier;
  private readonly pollMs: number;
  private notifying: Promise<void> | null = null;
  private notifyState: 'idle' | 'waiting' | 'sending' = 'idle';
  private notifyAgain = false;

  constructor(
    readonly pool: Pool,
    options: { pollMs?: number } = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.notifier = new EventNotifier(pool, this.pollMs);
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const result = await this.appendWith(this.pool, streamId, events, expected);
    this.notifyAppended();
    return result;
  }

  /**
   * One transaction on one pooled connection for the whole unit. Its appends use the unnotified
   * append; subscribers hear of them by the coalesced NOTIFY after the commit.
   */
  async transact<T>(work: (uow: UnitOfWork) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    const uow = new PostgresUnitOfWork(client, {
      append: (streamId, events, expected) => this.appendOn(client, streamId, events, expected, 'unit'),
      readStream: (streamId, opts) => this.readStream(streamId, opts, client),
    });
    try {
      await client.query(options.sqlSetup ? `BEGIN; ${options.sqlSetup}` : 'BEGIN');
      const value = await work(uow);
      uow.finish();
      await client.query('COMMIT');
      if (uow.appended) this.notifyAppended();
      return value;
    } catch (err) {
      uow.finish();
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
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
   * Appends inside the caller's transaction, so read-model rows written in the same transaction
   * (inline projections such as the job queue) commit or roll back together with the events.
   */
  async appendWith(db: Queryable, streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.appendOn(db, streamId, events, expected, db === this.pool ? 'alone' : 'caller-transaction');
  }

  /**
   * `alone`: its own implicit transaction (loose expectations retry a lost race). `caller-transaction`:
   * inside a transaction the caller runs, NOTIFY inside it. `unit`: inside a unit of work, which
   * notifies after its commit.
   */
  private async appendOn(db: Queryable, streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision, mode: 'alone' | 'caller-transaction' | 'unit'): Promise<AppendResult> {
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
    const inTransaction = mode !== 'alone';
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await db.query<{ o_position: string; o_revision: string; o_event_id: string; o_tx: string; o_recorded_at: Date }>({
          ...(mode === 'caller-transaction' ? APPEND_IN_TRANSACTION : APPEND_ALONE),
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
        return { nextRevision: recorded[recorded.length - 1].revision, positions: recorded.map((r) => r.position), events: recorded };
      } catch (err) {
        const e = err as { code?: string; constraint?: string; detail?: string };
        if (e.code === 'OL409') throw new ExpectedVersionConflict(streamId, expected, BigInt(e.detail ?? '-1'));
        // A concurrent append took the same revision first. Inside a caller's transaction the
        // transaction is aborted, so the caller decides; otherwise loose expectations retry.
        if (e.code === '23505' && e.constraint === 'events_stream_revision_key') {
          if (!inTransaction && (expected === 'any' || expected === 'stream_exists') && attempt < MAX_ANY_RETRIES) continue;
          // Inside a transaction the revision that collided is the best known (a lookup would need
          // a second connection while this one is held: a pool of waiting units could starve it).
          throw new ExpectedVersionConflict(streamId, expected, inTransaction ? collidedRevision(e.detail) : await this.currentRevision(streamId));
        }
        // The same event ids were appended concurrently: the retry returns the stored positions.
        if (e.code === '23505' && e.constraint === 'events_event_id_key' && !inTransaction && attempt < MAX_ANY_RETRIES) continue;
        throw err;
      }
    }
  }

  async currentRevision(streamId: string, db: Queryable = this.pool): Promise<bigint> {
    const { rows } = await db.query<{ revision: string }>(
      'SELECT revision FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1',
      [streamId],
    );
    return rows.length ? BigInt(rows[0].revision) : -1n;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}, db: Queryable = this.pool): Promise<RecordedEvent[]> {
    const { rows } = await db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      [streamId, (options.fromRevision ?? 0n).toString(), options.maxCount ?? null],
    );
    return rows.map((r) => eventFromRow(r));
  }

  async readAll(from: Checkpoint | null, limit: number, db: Queryable = this.pool): Promise<RecordedEvent[]> {
    const { txId, position } = decodeCheckpoint(from);
    const { rows } = await db.query<EventRow>(READ_ALL_SQL, [txId, position.toString(), limit]);
    return rows.map((r) => eventFromRow(r));
  }

  /**
   * Every committed event after `from` of the given types, in commit order, WITHOUT gap safety:
   * an event committed by a later transaction may come before one an older, still open
   * transaction commits afterwards. Only for folds whose rows each follow one stream (inline
   * projections), where per-stream order is all that matters.
   */
  async readCommittedAfter(from: Checkpoint | null, types: readonly string[], limit: number, db: Queryable = this.pool): Promise<RecordedEvent[]> {
    const { txId, position } = decodeCheckpoint(from);
    const { rows } = await db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint) AND events.type = ANY($3::text[])
        ORDER BY events.transaction_id, events.position
        LIMIT $4`,
      [txId, position.toString(), types, limit],
    );
    return rows.map((r) => eventFromRow(r));
  }

  /** Sleeps until the next NOTIFY of an append (any process) or `ms`, whichever comes first. */
  waitForAppend(ms: number, signal?: AbortSignal): Promise<void> {
    return this.notifier.wait(ms, signal);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return startSubscription(this, this.notifier, options, this.pollMs);
  }

  async head(): Promise<{ checkpoint: Checkpoint; position: bigint; recordedAt: Date } | null> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`,
    );
    if (!rows.length) return null;
    const e = eventFromRow(rows[0]);
    return { checkpoint: e.checkpoint, position: e.position, recordedAt: e.recordedAt };
  }

  async close(): Promise<void> {
    await this.notifying;
    await this.notifier.close();
  }
}

/** A stored row as the event every reader sees: upcast, with its commit-order checkpoint. */
export function eventFromRow(r: EventRow): RecordedEvent {
  const up = upcast(r.type, r.schema_version, r.data, r.metadata);
  const position = BigInt(r.position);
  return {
    eventId: r.event_id,
    streamId: r.stream_id,
    revision: BigInt(r.revision),
    position,
    type: r.type,
    schemaVersion: up.schemaVersion,
    data: up.data,
    metadata: r.metadata as RecordedEvent['metadata'],
    recordedAt: r.recorded_at,
    checkpoint: encodeCheckpoint(r.transaction_id, position),
  };
}
