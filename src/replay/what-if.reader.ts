import { inTransaction } from '../database/transaction';
import { Inject, Injectable } from '@nestjs/common';
import { escapeLiteral, Pool, PoolClient } from 'pg';
import { targetsProjection } from '../../projections/targets/targets.projection';
import type { TargetState } from '../../projections/targets/target-state';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import type { RecordedEvent } from '../event-store/envelope';
import { EVENT_COLUMNS, EventRow, eventFromRow } from '../event-store/postgres/postgres-event-store';
import { RUN_EVENT_TYPES } from '../jobs/events/run.events';
import { TARGET_EVENT_TYPES } from '../polling/events/target.events';
import { targetStream } from '../polling/target-spec';
import { PointInTime } from '../point-in-time/point-in-time.service';

export interface WindowFilter {
  readonly from: Date;
  readonly to: Date;
  readonly targets?: readonly string[];
  readonly jobs?: readonly string[];
}

/** Reads a window of the log for a what-if: a cursor, so memory stays one page however long the window. */
export interface WindowSession {
  /** The next page in commit order; empty at the end. */
  next(): Promise<RecordedEvent[]>;
  /** Each run stream's events before `beforeRevision`, oldest first. */
  runHistory(want: ReadonlyMap<string, bigint>): Promise<Map<string, RecordedEvent[]>>;
}

const lit = (v: string) => escapeLiteral(v);
/** How far apart the rows of one append can be recorded (clock_timestamp per row). */
const EDGE_SLACK_S = 5;
const arr = (vs: readonly string[]) => `ARRAY[${vs.map(lit).join(',')}]::text[]`;

@Injectable()
export class WhatIfReader {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly pit: PointInTime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every target's folded state at `at` (from the nearest snapshot, then the events after it). */
  targetsAt(at: Date): Promise<Map<string, TargetState>> {
    return this.pit.rowsAt(targetsProjection, at);
  }

  /**
   * Runs `work` over the events recorded in (from, to], in commit order, inside one read-only
   * REPEATABLE READ transaction: every page sees the same snapshot, a consistent cut of the log
   * (no xmin horizon: inside one snapshot it would only hide commits behind an open transaction).
   */
  withWindow<T>(f: WindowFilter, work: (s: WindowSession) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL statement_timeout = ${Number(this.config.replay.statementTimeoutMs)}`);
      const targetStreams = f.targets ? `stream_id = ANY(${arr(f.targets.map(targetStream))})` : `stream_id LIKE 'target-%'`;
      const jobStreams = f.jobs ? `(stream_id LIKE 'job-%' AND data->>'job' = ANY(${arr(f.jobs)}))` : `stream_id LIKE 'job-%'`;
      const from = `${lit(f.from.toISOString())}::timestamptz`;
      const to = `${lit(f.to.toISOString())}::timestamptz`;
      // An append (a poll and the transitions it caused) is one transaction whose rows may straddle an
      // edge by microseconds: keep it whole — before the window if it began by `from`, inside if it began by `to`.
      const straddles = (edge: string) =>
        `(recorded_at > ${edge} AND recorded_at <= ${edge} + interval '${EDGE_SLACK_S} seconds' AND events.transaction_id IN (SELECT e.transaction_id FROM events e WHERE e.recorded_at > ${edge} - interval '${EDGE_SLACK_S} seconds' AND e.recorded_at <= ${edge}))`;
      // DECLARE takes no bind parameters: every value is a validated timestamp or escaped literal.
      await client.query(`
        DECLARE what_if NO SCROLL CURSOR FOR
          SELECT ${EVENT_COLUMNS} FROM events
           WHERE ((recorded_at > ${from} AND recorded_at <= ${to}) OR ${straddles(to)}) AND NOT ${straddles(from)}
             AND type = ANY(${arr([...TARGET_EVENT_TYPES, ...RUN_EVENT_TYPES])})
             AND (${targetStreams} OR ${jobStreams})
           ORDER BY events.transaction_id, events.position`);
      const pageSize = this.config.replay.pageSize;
      return work({
        next: async () => (await client.query<EventRow>(`FETCH ${pageSize} FROM what_if`)).rows.map(eventFromRow),
        runHistory: (want) => this.runHistory(client, want),
      });
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  private async runHistory(client: PoolClient, want: ReadonlyMap<string, bigint>): Promise<Map<string, RecordedEvent[]>> {
    const out = new Map<string, RecordedEvent[]>();
    if (!want.size) return out;
    const { rows } = await client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events JOIN unnest($1::text[], $2::bigint[]) AS w(s, r) ON events.stream_id = w.s AND events.revision < w.r
        ORDER BY events.stream_id, events.revision`,
      [[...want.keys()], [...want.values()].map(String)],
    );
    for (const e of rows.map(eventFromRow)) {
      const list = out.get(e.streamId) ?? [];
      list.push(e);
      out.set(e.streamId, list);
    }
    return out;
  }
}
