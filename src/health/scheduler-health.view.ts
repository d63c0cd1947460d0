import type { TargetState } from '../polling/target.state';
import { stalenessScore } from '../polling/adaptive-interval';
import { nextDueMs } from '../polling/next-due';
import { rfc3339 } from '../shared/clock';
import { instanceView } from '../polling/instance.view';

/** What the view needs from configuration (so `?at=` can call it with the config of the time). */
export interface SchedulerHealthConfig {
  readonly adaptiveEnabled: boolean;
  readonly maxIntervalMs: number;
  /** "Items scheduled within the next 12 seconds" (the window is configurable). */
  readonly dueWindowSeconds: number;
}

export const DEAD_LETTER_TASKS_CAP = 25;

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * GET /api/monitoring/scheduler/health, in its fixed documented shape, from read-model rows and a
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
  const dead = sorted
    .filter((r) => r.deadLetter)
    .sort((a, b) => Date.parse(a.deadLetter!.nextRetry) - Date.parse(b.deadLetter!.nextRetry) || (a.key < b.key ? -1 : 1));
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
    // With adaptive polling disabled these three arrays are empty.
    breakers: enabled
      ? sorted
          .filter((r) => r.breaker.state !== 'closed')
          .map((r) => ({ instance: r.name, type: r.type, state: r.breaker.state, failures: r.breaker.failureCount, retryAt: rfc3339(r.breaker.retryAt) }))
      : [],
    staleness: enabled
      ? sorted.map((r) => ({
          instance: r.name,
          type: r.type,
          score: round2(stalenessScore(now, r.lastSuccess, cfg.maxIntervalMs)),
          lastSuccess: rfc3339(r.lastSuccess),
          lastError: rfc3339(r.lastError?.at),
        }))
      : [],
    instances: enabled ? sorted.map(instanceView) : [],
  };
}
