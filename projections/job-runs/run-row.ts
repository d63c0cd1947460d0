import type { Backoff, Priority, Trigger } from '../../src/jobs/events/run.events';

/**
 * pending: waiting for a worker · retrying: waiting for its next attempt · running: claimed ·
 * cancelling: running, cancel requested · succeeded · failed (dead-lettered) · cancelled · expired.
 */
export type RunStatus = 'pending' | 'retrying' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled' | 'expired';
export const WAITING: readonly RunStatus[] = ['pending', 'retrying'];
export const ACTIVE: readonly RunStatus[] = ['running', 'cancelling'];
export const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

/** One run, folded from its `job-<runId>` stream. The same row is the decider's state. */
export interface RunRow {
  readonly runId: string;
  readonly job: string;
  readonly state: RunStatus;
  readonly trigger: Trigger;
  readonly actor: string | null;
  readonly reason: string | null;
  readonly params: Record<string, unknown>;
  readonly tenant: string | null;
  readonly priority: Priority;
  readonly priorityRank: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly cancellable: boolean;
  readonly backoff: Backoff;
  readonly enqueuedAt: string;
  readonly readyAt: string;
  readonly expiresAt: string | null;
  readonly scheduledFor: string | null;
  readonly retryOf: string | null;
  readonly workerId: string | null;
  readonly claimedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly logTail: string | null;
  readonly cancelRequest: { readonly actor: string; readonly reason: string; readonly at: string } | null;
  /** Attempts that ended without success (failed or abandoned). */
  readonly failures: number;
  readonly updatedAt: string;
}
