import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { evolveTarget, TargetState } from '../../projections/targets/target-state';
import { PG_POOL } from '../database/database.module';
import type { RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE } from '../event-store/event-store.port';
import { PostgresEventStore, Queryable } from '../event-store/postgres/postgres-event-store';
import { sqlOf, UnitOfWork } from '../event-store/unit-of-work';
import { upcast } from '../event-store/upcasters';
import type { TargetEvent } from './events/target.events';
import { targetStream } from './target-spec';

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
    @Inject(EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  load(key: string): Promise<LoadedTarget> {
    return this.loadFrom(this.pool, (stream, fromRevision) => this.store.readStream(stream, { fromRevision }), key);
  }

  /** As the unit sees it (an operator action decides on the state it commits on). */
  loadIn(uow: UnitOfWork, key: string): Promise<LoadedTarget> {
    return this.loadFrom(sqlOf(uow), (stream, fromRevision) => uow.readStream(stream, { fromRevision }), key);
  }

  private async loadFrom(db: Queryable, read: (stream: string, fromRevision: bigint) => Promise<RecordedEvent[]>, key: string): Promise<LoadedTarget> {
    const { rows } = await db.query<{ doc: TargetState; revision: string }>('SELECT doc, revision FROM rm_targets WHERE key = $1', [key]);
    let state: TargetState | null = rows[0]?.doc ?? null;
    let revision = rows[0] ? BigInt(rows[0].revision) : -1n;
    for (const e of await read(targetStream(key), revision + 1n)) {
      state = evolveTarget(state, e as unknown as TargetEvent);
      revision = e.revision;
    }
    return { state, revision };
  }

  /** Every target; with `db` (a unit's SQL session), as that unit sees them. */
  async loadAll(pageSize = 5000, db: Queryable = this.pool): Promise<Map<string, LoadedTarget>> {
    const out = new Map<string, LoadedTarget>();
    const { rows } = await db.query<{ key: string; doc: TargetState; revision: string }>('SELECT key, doc, revision FROM rm_targets');
    for (const r of rows) out.set(r.key, { state: r.doc, revision: BigInt(r.revision) });
    // Events not yet in the read model (or of streams without a row), in pages, stream by stream.
    let after: [string, string] = ['', '-1'];
    for (;;) {
      const page = await db.query<{ stream_id: string; revision: string; type: string; schema_version: number; data: unknown; metadata: Record<string, unknown> }>(
        `SELECT e.stream_id, e.revision, e.type, e.schema_version, e.data, e.metadata
           FROM events e LEFT JOIN rm_targets r ON r.stream_id = e.stream_id
          WHERE e.stream_id LIKE 'target-%' AND e.revision > COALESCE(r.revision, -1)
            AND (e.stream_id, e.revision) > ($1::text, $2::bigint)
          ORDER BY e.stream_id, e.revision LIMIT $3`,
        [after[0], after[1], pageSize],
      );
      for (const r of page.rows) {
        const key = r.stream_id.slice('target-'.length);
        const cur = out.get(key) ?? { state: null, revision: -1n };
        const up = upcast(r.type, r.schema_version, r.data, r.metadata);
        cur.state = evolveTarget(cur.state, { type: r.type, data: up.data } as TargetEvent);
        cur.revision = BigInt(r.revision);
        out.set(key, cur);
      }
      if (page.rows.length < pageSize) break;
      const last = page.rows[page.rows.length - 1];
      after = [last.stream_id, last.revision];
    }
    return out;
  }
}
