import type { TargetState } from '../polling/target.state';
import type { FailureKind } from '../polling/events/poll-outcome.events';
import { rfc3339 } from '../shared/clock';
import type { LoopFinding } from './ops-health.rules';
import { POLL_SCHEDULER_LOOP } from './ops-health.rules';

/**
 * The fields a planning-refresh ops API (PlanningSup's `GET /api/ops/plannings`) documents, beside
 * opsledger's own: dashboards and alerting scripts written against that API read them unchanged.
 * A planning is a target.
 */

/** The only values that API documents for `failureKind` / `lastFailure`. */
export const PLANNING_FAILURE_KINDS = ['http_timeout', 'http_4xx', 'http_5xx', 'parse_error', 'network_error'] as const;
export type PlanningFailureKind = (typeof PLANNING_FAILURE_KINDS)[number];

/**
 * opsledger's kinds onto the closest documented one: a target that cannot be polled as configured
 * (`invalid_config`) is a client error like a 4xx (fix the target); a connection our egress policy
 * refused (`blocked_by_policy`) is "other network error". The precise kind stays in `kind`.
 */
export function planningFailureKind(kind: FailureKind): PlanningFailureKind {
  switch (kind) {
    case 'invalid_config':
      return 'http_4xx';
    case 'blocked_by_policy':
      return 'network_error';
    default:
      return kind;
  }
}

/** Breaker open (or half-open: one probe in flight) or dead-lettered: not polled on its interval. */
export const isDisabled = (t: TargetState) => t.deadLetter !== null || t.breaker.state !== 'closed';

/** A target's staleness horizon: OPS_STALE_FACTOR × its current interval, never below POLL_MAX_INTERVAL_SECONDS. */
export const stalenessHorizonMs = (t: TargetState, staleFactor: number, maxIntervalMs: number) => Math.max(maxIntervalMs, staleFactor * (t.intervalMs ?? 0));

/** `backups`: total targets, those with a successful poll within their staleness horizon, those disabled. */
export function backupsOf(targets: readonly TargetState[], now: Date, staleFactor: number, maxIntervalMs: number) {
  const t = now.getTime();
  const covered = targets.filter((r) => r.lastSuccess !== null && t - Date.parse(r.lastSuccess) <= stalenessHorizonMs(r, staleFactor, maxIntervalMs)).length;
  return { total: targets.length, covered, disabled: targets.filter(isDisabled).length };
}

/** `lastBackupWrite`: the latest recorded poll outcome (up to `now`) and what its append wrote; null before any. */
export function lastBackupWriteOf(targets: readonly TargetState[], now: Date) {
  let last: TargetState | null = null;
  for (const r of targets) {
    const w = r.lastWrite;
    if (!w || Date.parse(w.at) > now.getTime()) continue;
    if (!last || w.at > last.lastWrite!.at || (w.at === last.lastWrite!.at && r.key < last.key)) last = r;
  }
  if (!last) return null;
  const w = last.lastWrite!;
  return { planningFullId: last.key, changed: w.changed, nbEvents: w.nbEvents, at: rfc3339(w.at), outcome: w.outcome };
}

/**
 * `workers.backfill` (keeps every target polled within its staleness horizon) and
 * `workers.refreshWorker` (works the due queue and the dead-letter retries): in opsledger one loop,
 * the poll scheduler, does both, so both show its state; `unknown` when no scheduler reports.
 */
export function planningWorkers(loops: readonly LoopFinding[]) {
  const state = loops.find((l) => l.loop === POLL_SCHEDULER_LOOP)?.speaker.state ?? 'unknown';
  return { backfill: state, refreshWorker: state };
}
