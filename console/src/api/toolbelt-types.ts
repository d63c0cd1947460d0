/** Answers of the toolbelt APIs (webhooks, flags, caches, rate limits, migrations, loop pauses), as docs/api.md shows them. */

export interface WebhookSubscription {
  id: string;
  tenant: string | null;
  url: string;
  eventTypes: string[];
  maxConcurrency: number | null;
  description: string | null;
  source: string;
  createdBy: string;
  createdAt: string;
  secret?: string;
}

export type FailureStatus = 'failed' | 'replayed' | 'suppressed' | 'handled';

export interface WebhookFailure {
  id: string;
  messageId: string;
  subscriptionId: string;
  tenant: string | null;
  eventId: string;
  eventType: string;
  replayOf: string | null;
  status: FailureStatus;
  attempts: number;
  queuedAt: string;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastErrorKind: string | null;
  lastError: string | null;
  lastResponseSnippet: string | null;
  failedAt: string | null;
  resolution: { action: string; actor: string; reason: string; at: string; replayDeliveryId?: string } | null;
}

export interface Flag {
  key: string;
  description: string;
  type: 'boolean' | 'string' | 'number' | 'json';
  defaultValue: unknown;
  value: unknown;
  source: 'default' | 'set';
  expiresAt: string | null;
  setBy: string | null;
  setAt: string | null;
  updatedAt: string;
}

export interface FlagHistoryEvent {
  revision: number;
  type: string;
  data: Record<string, unknown>;
  actor: string;
  recordedAt: string;
}

export interface CacheInfo {
  name: string;
  address: string;
}

export interface Purge {
  id: string;
  cache: string;
  match: { key: string } | { pattern: string };
  state: 'running' | 'completed' | 'cancelled' | 'failed' | 'abandoned';
  scanned: number;
  removed: number;
  reason: string;
  startedBy: string;
  startedAt: string;
  lastProgressAt: string;
  cancelRequested: { by: string; reason: string; at: string } | null;
  finishedAt: string | null;
  error: string | null;
}

export interface RateLimitOverride {
  id: string;
  subject: { tenant: string } | { ip: string };
  limit: number;
  expiresAt: string;
  reason: string;
  grantedBy: string;
  grantedAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  active: boolean;
}

export interface MigrationStatus {
  settled: boolean;
  migrations: { name: string; timestamp: number; state: 'applied' | 'pending'; appliedAt: string | null }[];
  pending: string[];
  unknownApplied: string[];
  lastRun: { startedAt: string; finishedAt: string | null; applied: string[]; error: string | null; instance: string } | null;
  projections: {
    name: string;
    version: number;
    storedVersion: number | null;
    state: string;
    rebuild: { pending: boolean; running: boolean; position: number | null; head: number | null; progress: number | null; reason: string | null };
    settled: boolean;
  }[];
}

export type PausableLoop = 'job-worker' | 'poll-scheduler';
