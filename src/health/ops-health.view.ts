import type { TargetState } from '../../projections/targets/target-state';
import type { QuietHoursWindow } from '../config/polling.env';
import { inQuietHours } from '../polling/quiet-hours';
import { rfc3339 } from '../shared/clock';
import type { RestoreDrillRow } from '../../projections/restore-drills/restore-drills.projection';
import type { LoopStateRow } from './loop-state';
import { restoreDrillView } from './restore-drill.view';
import { nextRunMs } from './scheduler-health.view';

export interface OpsHealthConfig {
  readonly staleFactor: number;
  readonly disabledThreshold: number;
  readonly stuckAfterMs: number;
  readonly stuckMinReady: number;
  readonly quietHours: QuietHoursWindow | null;
  readonly quietHoursTz: string;
  /** OPS_REQUIRE_RESTORE_DRILL: a missing recent drill degrades status (else it is a notice only). */
  readonly requireRestoreDrill?: boolean;
  readonly restoreDrillMaxAgeDays?: number;
}

export const POLL_SCHEDULER_LOOP = 'poll-scheduler';

const ago = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)}s` : ms < 3_600_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 3_600_000)}h`);

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

/** The process that speaks for a loop: the freshest non-standby row (a standby only when nothing else reports). */
function representative(rows: readonly LoopStateRow[]): LoopStateRow {
  const working = rows.filter((r) => r.detail?.role !== 'standby');
  const pool = working.length ? working : rows;
  const at = (r: LoopStateRow) => new Date(r.lastRunAt ?? r.beatAt).getTime();
  return pool.reduce((best, r) => (at(r) > at(best) ? r : best));
}

/**
 * GET /api/ops/health: seed 000's rules over the loop heartbeats and the targets read model.
 * Unhealthy: no loop started, a loop stale past staleFactor × its interval (or stopped/crashed),
 * the queue stuck (targets overdue while the scheduler idles). Degraded: a loop paused, or more
 * than disabledThreshold of the targets dead-lettered. Pure, like the scheduler health view.
 */
export function opsHealthView(targets: readonly TargetState[], loops: readonly LoopStateRow[], now: Date, cfg: OpsHealthConfig, drills: Iterable<RestoreDrillRow> = []) {
  const t = now.getTime();
  const critical: string[] = [];
  const minor: string[] = [];

  const byLoop = new Map<string, LoopStateRow[]>();
  for (const l of loops) byLoop.set(l.loop, [...(byLoop.get(l.loop) ?? []), l]);
  if (!byLoop.size) critical.push('Jobs not started');
  const workers: Record<string, string> = {};
  const loopViews = [];
  for (const [name, rows] of [...byLoop].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = representative(rows);
    const last = new Date(r.lastRunAt ?? r.startedAt).getTime();
    const age = t - last;
    const stale = age > cfg.staleFactor * r.intervalMs;
    workers[name] = r.state;
    if (r.state === 'stopped' || r.state === 'crashed') critical.push(`${name} ${r.state}`);
    else if (stale) critical.push(`${name} stale (${ago(age)} ago)`);
    else if (r.state === 'paused') minor.push(`${name} paused`);
    loopViews.push({ loop: name, state: r.state, instanceId: r.instanceId, intervalMs: r.intervalMs, lastRunAt: rfc3339(r.lastRunAt), stale, processes: rows.length });
  }

  const scheduler = byLoop.has(POLL_SCHEDULER_LOOP) ? representative(byLoop.get(POLL_SCHEDULER_LOOP)!) : null;
  const schedulerAlive = scheduler && t - new Date(scheduler.lastRunAt ?? scheduler.startedAt).getTime() <= cfg.staleFactor * scheduler.intervalMs;
  const queued = targets.filter((r) => !r.paused && !r.deadLetter);
  let ready = 0;
  let overdue = 0;
  for (const r of queued) {
    const due = nextRunMs(r);
    if (due === null) continue;
    if (due <= t) ready++;
    if (due <= t - cfg.stuckAfterMs) overdue++;
  }
  const locked = scheduler && schedulerAlive && typeof scheduler.detail?.inFlight === 'number' ? (scheduler.detail.inFlight as number) : 0;
  if (overdue >= cfg.stuckMinReady && (!scheduler || !schedulerAlive || !['working', 'quiet_hours'].includes(scheduler.state))) {
    critical.push(`Queue stuck: ${overdue} ready but ${!scheduler ? 'no poll scheduler running' : schedulerAlive || ['stopped', 'crashed'].includes(scheduler.state) ? `scheduler ${scheduler.state}` : 'scheduler stale'}`);
  }

  const dead = targets.filter((r) => r.deadLetter);
  if (targets.length && dead.length / targets.length > cfg.disabledThreshold) {
    minor.push(`High disabled: ${dead.length}/${targets.length} (${Math.round((100 * dead.length) / targets.length)}%)`);
  }

  const failing = targets.filter((r) => r.lastError && (r.consecutiveFailures > 0 || r.deadLetter));
  const hosts = new Map<string, { host: string; count: number; lastAt: number; lastFailure: string }>();
  for (const r of failing) {
    const host = hostOf(r.spec.probe.url);
    const at = Date.parse(r.lastError!.at);
    const h = hosts.get(host) ?? { host, count: 0, lastAt: -Infinity, lastFailure: r.lastError!.failureKind };
    h.count++;
    if (at > h.lastAt) {
      h.lastAt = at;
      h.lastFailure = r.lastError!.failureKind;
    }
    hosts.set(host, h);
  }
  const failedHosts = [...hosts.values()].sort((a, b) => b.count - a.count || b.lastAt - a.lastAt || (a.host < b.host ? -1 : 1)).slice(0, 5).map(({ host, count, lastFailure }) => ({ host, count, lastFailure }));
  const recentFailures = [...failing]
    .sort((a, b) => Date.parse(b.lastError!.at) - Date.parse(a.lastError!.at) || (a.key < b.key ? -1 : 1))
    .slice(0, 5)
    .map((r) => ({
      target: r.key,
      failureKind: r.lastError!.failureKind,
      failures: r.consecutiveFailures,
      disabledUntil: rfc3339(r.deadLetter?.nextRetry ?? (r.breaker.state === 'open' ? r.breaker.retryAt : null)),
    }));
  const lastSuccess = targets.reduce<string | null>((m, r) => (r.lastSuccess && (!m || r.lastSuccess > m) ? r.lastSuccess : m), null);

  // Seed 002's quarterly restore drill: an issue only when required, otherwise a notice.
  const drill = restoreDrillView(drills, now, cfg.restoreDrillMaxAgeDays ?? 92);
  const notices: string[] = [];
  if (drill.issue) (cfg.requireRestoreDrill ? minor : notices).push(drill.issue);

  const issues = [...critical, ...minor];
  return {
    status: critical.length ? 'unhealthy' : minor.length ? 'degraded' : 'healthy',
    issues,
    workers,
    loops: loopViews,
    inQuietHours: inQuietHours(now, cfg.quietHours, cfg.quietHoursTz),
    queue: { depth: queued.length, ready, locked },
    coverage: {
      total: targets.length,
      healthy: targets.filter((r) => !r.paused && !r.deadLetter && r.consecutiveFailures === 0 && r.lastSuccess !== null).length,
      deadLettered: dead.length,
      paused: targets.filter((r) => r.paused).length,
    },
    lastSuccessAt: rfc3339(lastSuccess),
    failedHosts: failedHosts.length ? failedHosts : null,
    recentFailures: recentFailures.length ? recentFailures : null,
    restoreDrill: drill.restoreDrill,
    notices,
    checkedAt: rfc3339(now),
  };
}
