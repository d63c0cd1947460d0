import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { flagStream } from './flag.events';

export interface FlagHistoryEntry {
  readonly revision: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly actor: string | null;
  readonly recordedAt: string;
  /** The audit entry of the operator action that caused it. */
  readonly causationId: string | null;
}

/** A flag's own events, oldest first: its history is its stream. */
export class FlagHistoryQuery extends Query<FlagHistoryEntry[]> {
  constructor(readonly key: string) {
    super();
  }
}

@QueryHandler(FlagHistoryQuery)
export class FlagHistoryHandler implements IQueryHandler<FlagHistoryQuery, FlagHistoryEntry[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(q: FlagHistoryQuery): Promise<FlagHistoryEntry[]> {
    const events = await this.store.readStream(flagStream(q.key));
    return events.map((e) => ({
      revision: Number(e.revision),
      type: e.type,
      data: e.data as Record<string, unknown>,
      actor: e.metadata.actor ?? null,
      recordedAt: e.recordedAt.toISOString(),
      causationId: e.metadata.causationId ?? null,
    }));
  }
}
