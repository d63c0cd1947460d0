import type { PauseRow } from '../../projections/pauses/pause-row';
import type { LoopPauseRow } from '../../projections/loop-pauses/loop-pauses.projection';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { RestoreDrillRow } from '../../projections/restore-drills/restore-drills.projection';
import type { TargetState } from '../polling/target.state';
import { inQuietHours } from '../polling/quiet-hours';
import type { FailureKind } from '../polling/events/poll-outcome.events';
import { rfc3339 } from '../shared/clock';
import type { LoopStateRow } from '../database/loop-state';
import { assessOpsHealth, OpsHealthAssessment, OpsHealthConfig } from './ops-health.rules';
import { backupsOf, lastBackupWriteOf, planningFailureKind, planningWorkers } from './planning-fields';
import { restoreDrillView } from './restore-drill.view';
import { nextDueMs } from '../polling/next-due';

export type { OpsHealthConfig } from './ops-health.rules';

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

/** The five hosts with the most failing targets, then the most recent failure. */
function failedHostsOf(failing: readonly TargetState[]) {
  const hosts = new Map<string, { host: string; count: number; lastAt: number; kind: FailureKind }>();
  for (const r of failing) {
    const host = hostOf(r.spec.probe.url);
    const at = Date.parse(r.lastError!.at);
    const h = hosts.get(host) ?? { host, count: 0, lastAt: -Infinity, kind: r.lastError!.failureKind };
    h.count++;
    if (at > h.lastAt) {
      h.lastAt = at;
      h.kind = r.lastError!.failureKind;
    }
    hosts.set(host, h);
  }
  return [...hosts.values()]
    .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt || (a.host < b.host ? -1 : 1))
    .slice(0, 5)
    .map(({ host, count, kind }) => ({ host, count, lastFailure: planningFailureKind(kind), kind }));
}

/**
 * When the scheduler will next try the target: its due time (dead-letter retry, forced poll or
 * schedule), and not before an open breaker's retryAt (polls due earlier are skipped).
 */
function nextTryOf(r: TargetState): string | null {
  const due = nextDueMs(r);
  if (due === null) return null;
  const retryAt = r.breaker.state === 'open' && r.breaker.retryAt && !r.forceNext ? Date.parse(r.breaker.retryAt) : 0;
  return rfc3339(new Date(Math.max(due, retryAt)).toISOString());
}

/** The five most recent failures. */
function recentFailuresOf(failing: readonly TargetState[]) {
  return [...failing]
    .sort((a, b) => Date.parse(b.lastError!.at) - Date.parse(a.lastError!.at) || (a.key < b.key ? -1 : 1))
    .slice(0, 5)
    .map((r) => ({
      planningFullId: r.key,
      target: r.key,
      failureKind: planningFailureKind(r.lastError!.failureKind),
      kind: r.lastError!.failureKind,
      failures: r.consecutiveFailures,
      disabledUntil: nextTryOf(r),
    }));
}

/**
 * The body of GET /api/ops/health (field names as the operations dashboard reads them): the
 * assessment's status, issues and notices, with what an operator looks at next — loop states,
 * queue, coverage, failing hosts and targets, the latest restore drill.
 */
export function opsHealthBody(a: OpsHealthAssessment, targets: readonly TargetState[], drills: Iterable<RestoreDrillRow>, now: Date, cfg: OpsHealthConfig) {
  // A paused target is not tried until an operator resumes it: it has no "next try" to show.
  const failing = targets.filter((r) => !r.paused && r.lastError && (r.consecutiveFailures > 0 || r.deadLetter));
  const failedHosts = failedHostsOf(failing);
  const recentFailures = recentFailuresOf(failing);
  const lastSuccess = targets.reduce<string | null>((m, r) => (r.lastSuccess && (!m || r.lastSuccess > m) ? r.lastSuccess : m), null);
  const inFlight = a.scheduler?.alive ? a.scheduler.row.detail?.inFlight : undefined;
  return {
    status: a.status,
    issues: a.issues,
    workers: { ...Object.fromEntries(a.loops.map((l) => [l.loop, l.speaker.state])), ...planningWorkers(a.loops) } as Record<string, string>,
    loops: a.loops.map(({ loop, speaker: r, stale, processes }) => ({
      loop,
      state: r.state,
      instanceId: r.instanceId,
      intervalMs: r.intervalMs,
      lastRunAt: rfc3339(r.lastRunAt),
      stale,
      processes,
    })),
    inQuietHours: inQuietHours(now, cfg.quietHours, cfg.quietHoursTz),
    queue: { depth: a.queue.waiting, ready: a.queue.ready, locked: typeof inFlight === 'number' ? inFlight : 0 },
    coverage: {
      total: targets.length,
      healthy: targets.filter((r) => !r.paused && !r.deadLetter && r.consecutiveFailures === 0 && r.lastSuccess !== null).length,
      deadLettered: a.deadLettered,
      paused: targets.filter((r) => r.paused).length,
    },
    backups: backupsOf(targets, now, cfg.staleFactor, cfg.maxIntervalMs ?? 300_000),
    lastBackupWrite: lastBackupWriteOf(targets, now),
    lastSuccessAt: rfc3339(lastSuccess),
    failedHosts: failedHosts.length ? failedHosts : null,
    recentFailures: recentFailures.length ? recentFailures : null,
    restoreDrill: restoreDrillView(drills, now, cfg.restoreDrillMaxAgeDays ?? 92).restoreDrill,
    pauses: a.pauses.length
      ? a.pauses.map(({ loop, reason, pausedBy, pausedAt, resumeAt }) => ({ loop, reason, pausedBy, pausedAt: rfc3339(pausedAt), resumeAt: rfc3339(resumeAt) }))
      : null,
    maintenance: a.maintenance.length ? a.maintenance : null,
    // What is paused per tenant besides whole loops: one job or target, or a tenant's jobs or targets.
    held: a.held.length
      ? [...a.held]
          .sort((x, y) => (x.tenant ?? '').localeCompare(y.tenant ?? '') || x.key.localeCompare(y.key))
          .map((r) => ({
            tenant: r.tenant,
            scope: r.scope,
            subject: r.subject,
            reason: r.reason,
            pausedBy: r.pausedBy,
            pausedAt: rfc3339(r.pausedAt),
            resumeAt: rfc3339(r.resumeAt),
          }))
      : null,
    notices: a.notices,
    checkedAt: rfc3339(now),
  };
}

/** Ops health at `now`: the rules' assessment, formatted. Live and `?at=` answers both come from here. */
export function opsHealthView(
  targets: readonly TargetState[],
  loops: readonly LoopStateRow[],
  now: Date,
  cfg: OpsHealthConfig,
  drills: Iterable<RestoreDrillRow> = [],
  pauses: readonly LoopPauseRow[] = [],
  maintenance: readonly MaintenanceRow[] = [],
  subjectPauses: readonly PauseRow[] = [],
) {
  const drillRows = [...drills];
  return opsHealthBody(assessOpsHealth({ targets, loops, drills: drillRows, pauses, maintenance, subjectPauses }, now, cfg), targets, drillRows, now, cfg);
}
