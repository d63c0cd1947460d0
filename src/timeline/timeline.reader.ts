import { Inject, Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../event-store/envelope';
import type { EventFilter } from '../event-store/event-filter';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { BadInput } from '../shared/errors';
import { EventSummaries } from './event-summaries';
import { publicEventData } from './event-redaction';
import { decodeTimelineCursor, encodeTimelineCursor } from './timeline-cursor';

export interface TimelineFilter {
  readonly from: string;
  readonly to: string;
  readonly target?: string;
  readonly job?: string;
  readonly tenant?: string | null;
  readonly types?: string[];
}

export interface CauseLink {
  readonly eventId: string;
  readonly type: string;
  readonly at: string;
  readonly actor: string | null;
  readonly summary: string;
}

export interface TimelineEntry {
  readonly position: string;
  readonly eventId: string;
  readonly at: string;
  readonly streamId: string;
  readonly type: string;
  readonly summary: string;
  readonly actor: string | null;
  /** Whose the event is: the tenant of its target or run, else of the token that acted (null: none). */
  readonly tenant: string | null;
  readonly correlationId: string | null;
  /** What caused this event, nearest first (causationId links, up to 5 hops). */
  readonly causedBy: CauseLink[];
  readonly data: unknown;
}

const MAX_CAUSE_HOPS = 5;

/** The tenant an event belongs to: its object's (target, run, token: `data.tenant`), else its actor's token's (the tenant filter matches either). */
export function tenantOf(e: RecordedEvent): string | null {
  const own = (e.data as { tenant?: unknown } | null)?.tenant;
  return typeof own === 'string' ? own : (e.metadata.tenant ?? null);
}

/**
 * The window's events: a target's stream, a job's definition stream or any event naming the job,
 * the tenant's (its object's or its actor's), of the given types.
 */
function timelineEvents(f: TimelineFilter): EventFilter {
  return {
    recordedAt: { gte: new Date(f.from), lt: new Date(f.to) },
    ...(f.target != null ? { streams: [`target-${f.target}`] } : {}),
    ...(f.job != null ? { anyOf: [{ streams: [`jobdef-${f.job}`] }, { data: { job: [f.job] } }] } : {}),
    ...(f.tenant != null ? { tenant: f.tenant } : {}),
    ...(f.types?.length ? { types: f.types } : {}),
  };
}

/**
 * The log of a time window across every stream, in commit order — the order a projection saw it.
 * A query of the log by design (indexed on recorded_at), unlike the health endpoints, which read
 * read models only.
 */
@Injectable()
export class TimelineReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly summaries: EventSummaries,
  ) {}

  async page(filter: TimelineFilter, limit: number, cursor: string | null): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
    if (Date.parse(filter.to) <= Date.parse(filter.from)) throw BadInput.field('to', 'must be after from');
    const after = cursor === null ? null : decodeTimelineCursor(cursor, (text) => this.store.isCheckpoint(text));
    const read = await this.store.readAll(after, limit + 1, timelineEvents(filter));
    const events = read.slice(0, limit);
    const items = await this.entries(events);
    const last = read.length > limit ? events[events.length - 1] : null;
    return { items, nextCursor: last ? encodeTimelineCursor(last.checkpoint) : null };
  }

  /** Every page of a window, for streaming. */
  async *all(filter: TimelineFilter, pageSize = 1000): AsyncGenerator<TimelineEntry> {
    let cursor: string | null = null;
    do {
      const page: { items: TimelineEntry[]; nextCursor: string | null } = await this.page(filter, pageSize, cursor);
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  private async entries(events: RecordedEvent[]): Promise<TimelineEntry[]> {
    const causes = await this.loadCauses(events);
    return events.map((e) => {
      const chain: CauseLink[] = [];
      for (let id = e.metadata.causationId, hops = 0; id && hops < MAX_CAUSE_HOPS; hops++) {
        const c = causes.get(id);
        if (!c) break;
        chain.push(this.link(c));
        id = c.metadata.causationId;
      }
      return {
        position: e.position.toString(),
        eventId: e.eventId,
        at: new Date(e.metadata.occurredAt ?? e.recordedAt).toISOString(),
        streamId: e.streamId,
        type: e.type,
        summary: this.summaries.summarize(e),
        actor: e.metadata.actor ?? null,
        tenant: tenantOf(e),
        correlationId: e.metadata.correlationId ?? null,
        causedBy: chain,
        data: publicEventData(e.type, e.data),
      };
    });
  }

  private link(c: RecordedEvent): CauseLink {
    return {
      eventId: c.eventId,
      type: c.type,
      at: new Date(c.metadata.occurredAt ?? c.recordedAt).toISOString(),
      actor: c.metadata.actor ?? null,
      summary: this.summaries.summarize(c),
    };
  }

  /** Loads causes hop by hop for the whole page at once (one query per hop, not per event). */
  private async loadCauses(events: RecordedEvent[]): Promise<Map<string, RecordedEvent>> {
    const found = new Map<string, RecordedEvent>(events.map((e) => [e.eventId, e]));
    let wanted = [...new Set(events.map((e) => e.metadata.causationId).filter((id): id is string => !!id && !found.has(id)))];
    for (let hop = 0; hop < MAX_CAUSE_HOPS && wanted.length; hop++) {
      const next: string[] = [];
      for (const r of await this.store.readEvents(wanted)) {
        found.set(r.eventId, r);
        const c = r.metadata.causationId;
        if (c && !found.has(c)) next.push(c);
      }
      wanted = [...new Set(next)];
    }
    return found;
  }
}
