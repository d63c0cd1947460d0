import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { evolveTarget, TargetState } from '../../projections/targets/target-state';
import { PG_POOL } from '../database/database.module';
import type { EventMetadata, RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE } from '../event-store/event-store.port';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
import { upcast } from '../event-store/upcasters';
import { TargetEvent, targetEventSchemaVersion } from './events/target.events';
import { targetStream } from './target-spec';

export interface LoadedTarget {
  state: TargetState | null;
  /** Revision of the last event folded into `state`; -1n when the stream does not exist. */
  revision: bigint;
}

const MAX_ATTEMPTS = 5;

/**
 * Loads a target's state from its read-model row (a snapshot: the row is the folded state and
 * records the revision it reflects) plus the stream events after it, and appends with the
 * expected revision. Start-up loads every target in two queries, not one per stream.
 */
@Injectable()
export class TargetRepository {
  constructor(
    @Inject(EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async load(key: string): Promise<LoadedTarget> {
    const { rows } = await this.pool.query<{ doc: TargetState; revision: string }>('SELECT doc, revision FROM rm_targets WHERE key = $1', [key]);
    let state: TargetState | null = rows[0]?.doc ?? null;
    let revision = rows[0] ? BigInt(rows[0].revision) : -1n;
    for (const e of await this.store.readStream(targetStream(key), { fromRevision: revision + 1n })) {
      state = evolveTarget(state, e as unknown as TargetEvent);
      revision = e.revision;
    }
    return { state, revision };
  }

  async loadAll(pageSize = 5000): Promise<Map<string, LoadedTarget>> {
    const out = new Map<string, LoadedTarget>();
    const { rows } = await this.pool.query<{ key: string; doc: TargetState; revision: string }>('SELECT key, doc, revision FROM rm_targets');
    for (const r of rows) out.set(r.key, { state: r.doc, revision: BigInt(r.revision) });
    // Events not yet in the read model (or of streams without a row), in pages, stream by stream.
    let after: [string, string] = ['', '-1'];
    for (;;) {
      const page = await this.pool.query<{ stream_id: string; revision: string; type: string; schema_version: number; data: unknown; metadata: Record<string, unknown> }>(
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

  append(key: string, events: readonly TargetEvent[], expected: bigint, metadata: Partial<EventMetadata> = {}) {
    return this.store.append(
      targetStream(key),
      events.map((e) => ({ type: e.type, data: e.data, schemaVersion: targetEventSchemaVersion(e.type), metadata })),
      expected < 0n ? 'no_stream' : expected,
    );
  }

  /** Load → decide → append, re-deciding on a concurrent append. Returns the events and the new state. */
  async execute(key: string, decide: (state: TargetState | null) => TargetEvent[], metadata: Partial<EventMetadata> = {}): Promise<{ events: TargetEvent[]; recorded: RecordedEvent[]; state: TargetState | null }> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(key);
      const events = decide(state);
      if (!events.length) return { events, recorded: [], state };
      try {
        const res = await this.append(key, events, revision, metadata);
        return { events, recorded: [...res.events], state: events.reduce<TargetState | null>((s, e) => evolveTarget(s, e), state) };
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}
