import { Inject, Injectable } from '@nestjs/common';
import { targetsProjection } from '../../projections/targets/targets.projection';
import type { TargetState } from '../polling/target.state';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { RecordedEvent } from '../event-store/envelope';
import type { EventFilter } from '../event-store/event-filter';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { RUN_EVENT_TYPES } from '../jobs/events/run.events';
import { TARGET_EVENT_TYPES } from '../polling/events/target.events';
import { targetStream } from '../polling/events/target-spec';
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

/**
 * The target and run events of (from, to]. An append (a poll and the transitions it caused) is one
 * commit whose events may straddle an edge by a moment: it counts where it began.
 */
export function windowFilter(f: WindowFilter): EventFilter {
  return {
    types: [...TARGET_EVENT_TYPES, ...RUN_EVENT_TYPES],
    recordedAt: { gt: f.from, lte: f.to, byCommit: true },
    anyOf: [
      f.targets ? { streams: f.targets.map(targetStream) } : { streamPrefixes: ['target-'] },
      { streamPrefixes: ['job-'], ...(f.jobs ? { data: { job: f.jobs } } : {}) },
    ],
  };
}

@Injectable()
export class WhatIfReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly pit: PointInTime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every target's folded state at `at` (from the nearest snapshot, then the events after it). */
  targetsAt(at: Date): Promise<Map<string, TargetState>> {
    return this.pit.rowsAt(targetsProjection, at);
  }

  /** Runs `work` over the window's events in commit order, every page and history read from one snapshot of the log. */
  withWindow<T>(f: WindowFilter, work: (s: WindowSession) => Promise<T>): Promise<T> {
    return this.store.atSnapshot(
      async (log) => {
        const pages = log.scan(windowFilter(f), { pageSize: this.config.replay.pageSize })[Symbol.asyncIterator]();
        return work({
          next: async () => {
            const page = await pages.next();
            return page.done ? [] : page.value;
          },
          runHistory: async (want) => {
            const out = new Map<string, RecordedEvent[]>();
            if (!want.size) return out;
            const ranges = new Map([...want].map(([stream, before]) => [stream, { before }]));
            for (const e of await log.readStreams({ ranges })) {
              const list = out.get(e.streamId) ?? [];
              list.push(e);
              out.set(e.streamId, list);
            }
            return out;
          },
        });
      },
      { sqlSetup: `SET LOCAL statement_timeout = ${Number(this.config.replay.statementTimeoutMs)}` },
    );
  }
}
