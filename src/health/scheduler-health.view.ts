import type { TargetState } from '../polling/target.state';
import { stalenessScore } from '../polling/adaptive-interval';
import { nextDueMs } from '../polling/next-due';
import { rfc3339 } from '../shared/clock';

/** What the view needs from configuration (so `?at=` can call it with the config of the time). */
export interface SchedulerHealthConfig {
  readonly adaptiveEnabled: boolean;
  readonly maxIntervalMs: number;
  /** seed 001: "Items scheduled within the next 12 seconds". */
  readonly dueWindowSeconds: number;
}

export const DEAD_LETTER_TASKS_CAP = 25;

const round2 = (v: number) => Math.round(v * 100) / 100;

export function instanceView(t: TargetState) {
  return {
    key: t.key,
    type: t.type,
    displayName: t.spec.displayName ?? t.name,
    instance: t.name,
    connection: t.spec.probe.url,
    pollStatus: {
      lastSuccess: rfc3339(t.lastSuccess),
      lastError: t.lastError ? { at: rfc3339(t.lastError.at), message: t.lastError.message, category: t.lastError.category } : null,
      consecutiveFailures: t.consecutiveFailures,
      firstFailureAt: rfc3339(t.firstFailureAt),
    },
    breaker: {
      state: t.breaker.state,
      since: rfc3339(t.breaker.since),
      lastTransition: rfc3339(t.breaker.lastTransition),
      retryAt: rfc3339(t.breaker.retryAt),
      failureCount: t.breaker.failureCount,
    },
    deadLetter: t.deadLetter
      ? {
          present: true,
          reason: t.deadLetter.reason,
          firstAttempt: rfc3339(t.deadLetter.firstAttempt),
          lastAttempt: rfc3339(t.deadLetter.lastAttempt),
          retryCount: t.deadLetter.retryCount,
          nextRetry: rfc3339(t.deadLetter.nextRetry),
        }
      : { present: false },
  };
}

/**
 * GET /api/monitoring/scheduler/health, exactly seed 001's shape, from read-model rows and a
 * clock. Pure: a point-in-time answer folds events up to T and calls this with T.
 */
export function schedulerHealthView(rows: readonly TargetState[], now: Date, cfg: SchedulerHealthConfig) {
  const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const t = now.getTime();
  const queued = sorted.filter((r) => !r.paused);
  const perType: Record<string, number> = {};
  let dueWithin = 0;
  for (const r of queued) {
    perType[r.type] = (perType[r.type] ?? 0) + 1;
    const due = nextDueMs(r);
    if (due !== null && due <= t + cfg.dueWindowSeconds * 1000) dueWithin++;
  }
  const dead = sorted.filter((r) => r.deadLetter).sort((a, b) => Date.parse(a.deadLetter!.nextRetry) - Date.parse(b.deadLetter!.nextRetry) || (a.key < b.key ? -1 : 1));
  const enabled = cfg.adaptiveEnabled;
  return {
    updatedAt: rfc3339(now),
    enabled,
    queue: { depth: queued.length, dueWithinSeconds: dueWithin, perType },
    deadLetter: {
      count: dead.length,
      tasks: dead.slice(0, DEAD_LETTER_TASKS_CAP).map((r) => ({
        instance: r.name,
        type: r.type,
        nextRun: rfc3339(r.deadLetter!.nextRetry),
        lastError: r.lastError?.message ?? null,
        failures: r.consecutiveFailures,
      })),
    },
    // seed 001: with adaptive polling disabled these three arrays are empty.
    breakers: enabled
      ? sorted.filter((r) => r.breaker.state !== 'closed').map((r) => ({ instance: r.name, type: r.type, state: r.breaker.state, failures: r.breaker.failureCount, retryAt: rfc3339(r.breaker.retryAt) }))
      : [],
    staleness: enabled
      ? sorted.map((r) => ({ instance: r.name, type: r.type, score: round2(stalenessScore(now, r.lastSuccess, cfg.maxIntervalMs)), lastSuccess: rfc3339(r.lastSuccess), lastError: rfc3339(r.lastError?.at) }))
      : [],
    instances: enabled ? sorted.map(instanceView) : [],
  };
}
