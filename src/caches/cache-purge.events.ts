import { DomainEvent } from '../event-store/envelope';

/** What a purge removes: one key, or every key matching a Redis glob pattern (SCAN MATCH). */
export type PurgeMatch = { readonly key: string } | { readonly pattern: string };

export const PURGE_OUTCOMES = ['completed', 'cancelled', 'failed', 'abandoned'] as const;
export type PurgeOutcome = (typeof PURGE_OUTCOMES)[number];

export type CachePurgeStarted = DomainEvent<
  'CachePurgeStarted',
  { purgeId: string; cache: string; match: PurgeMatch; reason: string; startedBy: string; startedAt: string }
>;
/** Also the purge's heartbeat: one at least every CACHE_PURGE_PROGRESS_MS while it runs. */
export type CachePurgeProgressed = DomainEvent<'CachePurgeProgressed', { purgeId: string; cache: string; scanned: number; removed: number; at: string }>;
export type CachePurgeCancelRequested = DomainEvent<
  'CachePurgeCancelRequested',
  { purgeId: string; cache: string; reason: string; requestedBy: string; at: string }
>;
/** `abandoned`: its process stopped reporting; recorded by the purge that takes its place. */
export type CachePurgeFinished = DomainEvent<
  'CachePurgeFinished',
  { purgeId: string; cache: string; outcome: PurgeOutcome; scanned: number; removed: number; error: string | null; finishedAt: string }
>;

export type CachePurgeEvent = CachePurgeStarted | CachePurgeProgressed | CachePurgeCancelRequested | CachePurgeFinished;
export const CACHE_PURGE_EVENT_TYPES: readonly CachePurgeEvent['type'][] = [
  'CachePurgeStarted',
  'CachePurgeProgressed',
  'CachePurgeCancelRequested',
  'CachePurgeFinished',
];
