/** The response shapes the console reads (docs/api.md). Only the fields it shows. */
import type { Hold } from './hold-types';

export type Role = 'viewer' | 'operator' | 'admin';

export interface Session {
  sessionId: string;
  name: string;
  role: Role;
  tenant: string | null;
  status: 'active' | 'ended';
  startedAt: string;
  lastSeenAt: string;
  idleExpiresAt: string | null;
  absoluteExpiresAt: string;
  endedAt: string | null;
  endReason: string | null;
  endDetail: string | null;
  clientIp: string;
  csrfToken?: string;
}

export interface Target {
  key: string;
  type: string;
  name: string;
  displayName: string;
  connection: string;
  tenant: string | null;
  paused: boolean;
  /** What keeps it from being polled now: its own pause, its tenant's, a maintenance window. */
  hold?: Hold | null;
  intervalSeconds: number | null;
  adaptive: boolean;
  nextPollAt: string | null;
  lastInterval: Record<string, number | string> | null;
  pollStatus: {
    lastSuccess: string | null;
    lastError: { at: string; message: string; category: string } | null;
    consecutiveFailures: number;
    firstFailureAt: string | null;
  };
  breaker: { state: 'closed' | 'open' | 'half_open'; since: string | null; retryAt: string | null; failureCount: number };
  deadLetter: { present: boolean; reason?: string; firstAttempt?: string; lastAttempt?: string; retryCount?: number; nextRetry?: string };
}

export interface SchedulerHealth {
  updatedAt: string;
  enabled: boolean;
  queue: { depth: number; dueWithinSeconds: number };
  deadLetter: { count: number; tasks: { instance: string; type: string; nextRun: string; lastError: string; failures: number }[] };
  staleness: { instance: string; type: string; score: number; lastSuccess: string | null }[];
  instances: (Pick<Target, 'key' | 'type' | 'displayName' | 'connection' | 'pollStatus' | 'breaker' | 'deadLetter'> & { instance: string })[];
}

export interface Job {
  name: string;
  description: string | null;
  owner: string | null;
  schedule: { kind: 'cron' | 'on-demand'; text: string; cron: string | null; timezone: string };
  priority: 'high' | 'normal' | 'low';
  manualRun: boolean;
  cancellable: boolean;
  tenant: string | null;
  handler: string;
  /** The run parameters it accepts (run now, retry). */
  params: ('tenant' | 'dryRun' | 'timeRange' | 'custom')[];
  nextRunAt: string | null;
  nextRunInSeconds: number | null;
  pending: number;
  running: number;
  lastRun: { runId: string; at: string; status: string; durationMs: number | null } | null;
  sla: { targetDurationMs: number | null; runningBeyondTarget: boolean; longestRunningMs: number | null; pilingUp: boolean; attention: boolean };
  missedTicks: number;
  lastMissedTick: string | null;
  /** What holds its runs now (a pause of the job or its tenant's jobs, a maintenance window). */
  hold?: Hold | null;
  skippedTicks?: number;
  expiresAfterMs?: number | null;
}

export interface Run {
  runId: string;
  job: string;
  state: string;
  trigger: string;
  actor: string | null;
  reason: string | null;
  tenant: string | null;
  params: Record<string, unknown>;
  attempt: number;
  maxAttempts: number;
  retries: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  error: string | null;
  /** Its latest failure's signature (GET /api/failures/groups); null once it succeeds. */
  errorSignature?: string | null;
  logTail: string | null;
  workerId: string | null;
}

export interface TimelineEntry {
  position: string;
  eventId: string;
  at: string;
  streamId: string;
  type: string;
  summary: string;
  actor: string | null;
  tenant: string | null;
  causedBy: { type: string; summary: string }[];
  data?: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  target: string | null;
  reason: string;
  outcome: string;
  actor: string;
  role: string;
  tenant: string | null;
  clientIp: string;
}

export interface Worker {
  id: string;
  host: string;
  pid: number;
  mode: string;
  version: string;
  concurrency: number;
  status: string;
  startedAt: string;
  uptimeSeconds: number;
  processed: number;
  failed: number;
  nowRunning: { runId: string; job: string; startedAt: string; elapsedSeconds: number }[];
  lastSeen: string;
  lastSeenAgeSeconds: number;
}

export interface JobMetrics {
  job: string;
  runs: number;
  failures: number;
  successRate: number | null;
  band: 'green' | 'neutral' | 'red' | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  lastRunAt: string | null;
}

export interface Projection {
  name: string;
  version: number;
  state: string;
  position: number;
  lag: { events: number; seconds: number };
  error: string | null;
  eventsProcessed: number;
  lastEventAt: string | null;
  rebuild: { reason: string; startedAt: string; position: number } | null;
  rebuildRequestedAt: string | null;
  rebuiltAt: string | null;
}
