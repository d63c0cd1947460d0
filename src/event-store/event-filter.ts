import type { RecordedEvent } from './envelope';

/** Bounds of an ordered value; each one given narrows the range. */
export interface Range<T> {
  readonly gt?: T;
  readonly gte?: T;
  readonly lt?: T;
  readonly lte?: T;
}

export interface TimeWindow extends Range<Date> {
  /**
   * Judge each commit (one append, or one unit of work) by when its first event was recorded, so
   * a commit whose events straddle an edge by a moment is wholly inside or wholly outside.
   */
  readonly byCommit?: boolean;
}

/**
 * Which events a read returns. Every criterion given must hold; a list criterion holds when the
 * event matches any entry (an empty list matches nothing).
 */
export interface EventFilter {
  readonly types?: readonly string[];
  /** The event's stream is one of these, or (with `streamPrefixes` too) starts with one of those. */
  readonly streams?: readonly string[];
  readonly streamPrefixes?: readonly string[];
  /** Top-level fields of `data` and the values they may have, e.g. `{ job: ['nightly'] }`. */
  readonly data?: Readonly<Record<string, readonly string[]>>;
  /** Whose the event is: its `data.tenant` or its `metadata.tenant` (either matches). */
  readonly tenant?: string;
  readonly recordedAt?: TimeWindow;
  /** Global positions (inclusive/exclusive as the bounds say). */
  readonly positions?: Range<bigint>;
  /** At least one of these must hold too. */
  readonly anyOf?: readonly EventFilter[];
}

/**
 * Whether `e` passes `filter`, for stores that filter in memory. `commitStartedAt` is when the
 * first event of `e`'s commit was recorded (needed for a `byCommit` time window).
 */
export function eventMatches(filter: EventFilter, e: RecordedEvent, commitStartedAt: Date = e.recordedAt): boolean {
  if (filter.types && !filter.types.includes(e.type)) return false;
  if (filter.streams || filter.streamPrefixes) {
    const byId = filter.streams?.includes(e.streamId) ?? false;
    if (!byId && !(filter.streamPrefixes ?? []).some((p) => e.streamId.startsWith(p))) return false;
  }
  if (filter.data) {
    const data = (e.data ?? {}) as Record<string, unknown>;
    for (const [field, values] of Object.entries(filter.data)) {
      const v = data[field];
      if (typeof v !== 'string' || !values.includes(v)) return false;
    }
  }
  if (filter.tenant !== undefined) {
    const own = (e.data as { tenant?: unknown } | null)?.tenant;
    if (own !== filter.tenant && e.metadata.tenant !== filter.tenant) return false;
  }
  if (filter.recordedAt && !inRange(filter.recordedAt.byCommit ? commitStartedAt.getTime() : e.recordedAt.getTime(), filter.recordedAt, (d) => d.getTime()))
    return false;
  if (filter.positions && !inRange(e.position, filter.positions, (p) => p)) return false;
  if (filter.anyOf && !filter.anyOf.some((f) => eventMatches(f, e, commitStartedAt))) return false;
  return true;
}

function inRange<T, V extends number | bigint>(v: V, r: Range<T>, of: (t: T) => V): boolean {
  return (
    (r.gt === undefined || v > of(r.gt)) &&
    (r.gte === undefined || v >= of(r.gte)) &&
    (r.lt === undefined || v < of(r.lt)) &&
    (r.lte === undefined || v <= of(r.lte))
  );
}

/** Several streams at once: every stream starting with `prefix`, and/or the streams of `ranges`. */
export interface StreamsQuery {
  /** Every stream whose id starts with this (streams not in `ranges` are read whole). */
  readonly prefix?: string;
  /** Per stream, the revisions wanted: from `from` (inclusive) to `before` (exclusive). Without `prefix`, only these streams are read. */
  readonly ranges?: ReadonlyMap<string, { readonly from?: bigint; readonly before?: bigint }>;
}

export interface ReadStreamsOptions {
  /** The last event of the previous page: the read goes on after it. */
  readonly after?: { readonly streamId: string; readonly revision: bigint };
  readonly limit?: number;
}

/** Whether `e` is wanted by `q` (stores that filter in memory). */
export function streamEventWanted(q: StreamsQuery, e: RecordedEvent): boolean {
  const range = q.ranges?.get(e.streamId);
  if (!range) return q.prefix !== undefined && e.streamId.startsWith(q.prefix);
  if (q.prefix !== undefined && !e.streamId.startsWith(q.prefix)) return false;
  return (range.from === undefined || e.revision >= range.from) && (range.before === undefined || e.revision < range.before);
}
