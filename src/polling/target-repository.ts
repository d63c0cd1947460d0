import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { evolveTarget, TargetState } from './target.state';
import { PG_POOL } from '../database/database.module';
import type { RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE, EventStore, StreamReader } from '../event-store/event-store.port';
import { SqlSession, sqlOf, UnitOfWork } from '../event-store/unit-of-work';
import type { TargetEvent } from './events/target.events';
import { targetStream } from './events/target-spec';

export interface LoadedTarget {
  state: TargetState | null;
  /** Revision of the last event folded into `state`; -1n when the stream does not exist. */
  revision: bigint;
}

/**
 * Loads a target's state from its read-model row (a snapshot: the row is the folded state and
 * records the revision it reflects) plus the stream events after it; writers append at that
 * revision (operator actions: TargetCommands, in their unit of work). Start-up loads every
 * target in two queries, not one per stream.
 */
@Injectable()
export class TargetRepository {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  load(key: string): Promise<LoadedTarget> {
    return this.loadFrom(this.pool, (stream, fromRevision) => this.store.readStream(stream, { fromRevision }), key);
  }

  /** As the unit sees it (an operator action decides on the state it commits on). */
  loadIn(uow: UnitOfWork, key: string): Promise<LoadedTarget> {
    return this.loadFrom(sqlOf(uow), (stream, fromRevision) => uow.readStream(stream, { fromRevision }), key);
  }

  private async loadFrom(db: SqlSession, read: (stream: string, fromRevision: bigint) => Promise<RecordedEvent[]>, key: string): Promise<LoadedTarget> {
    const { rows } = await db.query<{ doc: TargetState; revision: string }>('SELECT doc, revision FROM rm_targets WHERE key = $1', [key]);
    let state: TargetState | null = rows[0]?.doc ?? null;
    let revision = rows[0] ? BigInt(rows[0].revision) : -1n;
    for (const e of await read(targetStream(key), revision + 1n)) {
      state = evolveTarget(state, e as unknown as TargetEvent);
      revision = e.revision;
    }
    return { state, revision };
  }

  /**
   * The targets of some poll partitions (docs/adr/0017): their rows' documents only, and the events
   * after every row (a stream without a row yet is read whole), kept for those partitions.
   */
  async loadPartitions(
    partitions: readonly number[],
    count: number,
    partitionOf: (key: string) => number,
    pageSize = 5000,
  ): Promise<Map<string, LoadedTarget>> {
    const out = new Map<string, LoadedTarget>();
    const { rows } = await this.pool.query<{ key: string; doc: TargetState | null; revision: string }>(
      'SELECT key, CASE WHEN ol_poll_partition(key, $2) = ANY($1::int[]) THEN doc END AS doc, revision FROM rm_targets',
      [partitions, count],
    );
    for (const r of rows) if (r.doc) out.set(r.key, { state: r.doc, revision: BigInt(r.revision) });
    const wanted = new Set(partitions);
    const ranges = new Map(rows.map((r) => [targetStream(r.key), { from: BigInt(r.revision) + 1n }]));
    for (let after: { streamId: string; revision: bigint } | undefined; ;) {
      const page = await this.store.readStreams({ prefix: 'target-', ranges }, { after, limit: pageSize });
      for (const e of page) {
        const key = e.streamId.slice('target-'.length);
        if (!wanted.has(partitionOf(key))) continue;
        const cur = out.get(key) ?? { state: null, revision: -1n };
        cur.state = evolveTarget(cur.state, e as unknown as TargetEvent);
        cur.revision = e.revision;
        out.set(key, cur);
      }
      if (page.length < pageSize) break;
      const last = page[page.length - 1];
      after = { streamId: last.streamId, revision: last.revision };
    }
    return out;
  }

  /** Every target; with `uow`, as that unit sees them. */
  async loadAll(pageSize = 5000, uow?: UnitOfWork): Promise<Map<string, LoadedTarget>> {
    const out = new Map<string, LoadedTarget>();
    const { rows } = await (uow ? sqlOf(uow) : this.pool).query<{ key: string; doc: TargetState; revision: string }>(
      'SELECT key, doc, revision FROM rm_targets',
    );
    for (const r of rows) out.set(r.key, { state: r.doc, revision: BigInt(r.revision) });
    // Events not yet in the read model (or of streams without a row), in pages, stream by stream.
    const log: StreamReader = uow ?? this.store;
    const ranges = new Map(rows.map((r) => [targetStream(r.key), { from: BigInt(r.revision) + 1n }]));
    for (let after: { streamId: string; revision: bigint } | undefined; ;) {
      const page = await log.readStreams({ prefix: 'target-', ranges }, { after, limit: pageSize });
      for (const e of page) {
        const key = e.streamId.slice('target-'.length);
        const cur = out.get(key) ?? { state: null, revision: -1n };
        cur.state = evolveTarget(cur.state, e as unknown as TargetEvent);
        cur.revision = e.revision;
        out.set(key, cur);
      }
      if (page.length < pageSize) break;
      const last = page[page.length - 1];
      after = { streamId: last.streamId, revision: last.revision };
    }
    return out;
  }
}
