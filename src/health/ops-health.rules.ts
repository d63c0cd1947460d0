import { LoopPauseRow, pauseHolds } from '../../projections/loop-pauses/loop-pauses.projection';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { RestoreDrillRow } from '../../projections/restore-drills/restore-drills.projection';
import { windowPhase } from '../maintenance/maintenance.state';
import type { TargetState } from '../polling/target.state';
import type { QuietHoursWindow } from '../config/polling.env';
import type { LoopStateRow } from '../database/loop-state';
import { restoreDrillView } from './restore-drill.view';
import { nextDueMs } from '../polling/next-due';
import { PauseRow, pauseRowHolds } from '../../projections/pauses/pause-row';
import { holdFor } from '../pausing/holds';
import { pauseSource } from '../pausing/pause-source';

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
  /** POLL_MAX_INTERVAL_SECONDS in ms: the shortest staleness horizon of `backups.covered`. */
  readonly maxIntervalMs?: number;
}

export const POLL_SCHEDULER_LOOP = 'poll-scheduler';
/** Webhook dispatcher, alert evaluator, flag expiry (ReportedLoop): their rows alone do not mean jobs started. */
const isAuxiliary = (r: LoopStateRow) => r.detail?.auxiliary === true;

export type OpsStatus = 'healthy' | 'degraded' | 'unhealthy';

/** What ops health knows at one instant: live, or folded from the log for `?at=`. */
export interface OpsHealthFacts {
  readonly targets: readonly TargetState[];
  readonly loops: readonly LoopStateRow[];
  readonly drills?: Iterable<RestoreDrillRow>;
  /** Operators' whole-loop pauses (rm_loop_pauses, or folded at `?at=`). */
  readonly pauses?: readonly LoopPauseRow[];
  /** Pauses of one job or target, or of a tenant's jobs or targets (rm_pauses, or folded at `?at=`). */
  readonly subjectPauses?: readonly PauseRow[];
  /** Tenants' maintenance windows (rm_maintenance, or folded at `?at=`). */
  readonly maintenance?: readonly MaintenanceRow[];
}

/** A tenant's window that holds at the assessed instant. */
export interface TenantInMaintenance {
  readonly tenant: string;
  readonly mode: 'read_only' | 'offline';
  readonly banner: string;
  readonly startsAt: string;
  readonly endsAt: string | null;
}

/** One loop as the rules judged it: the process that speaks for it, and whether it is stale. */
export interface LoopFinding {
  readonly loop: string;
  readonly speaker: LoopStateRow;
  readonly processes: number;
  readonly stale: boolean;
}

export interface OpsHealthAssessment {
  readonly status: OpsStatus;
  /** Critical issues (unhealthy) first, then minor ones (degraded). */
  readonly issues: string[];
  /** Worth knowing, not counted in the status. */
  readonly notices: string[];
  readonly loops: readonly LoopFinding[];
  readonly scheduler: { readonly row: LoopStateRow; readonly alive: boolean } | null;
  /** Targets neither paused nor dead-lettered; of those, due now and overdue past stuckAfterMs. */
  readonly queue: { readonly waiting: number; readonly ready: number; readonly overdue: number };
  readonly deadLettered: number;
  /** The pauses that hold at `now`. */
  readonly pauses: readonly LoopPauseRow[];
  /** The pauses of jobs, targets and tenants that hold at `now`. */
  readonly held: readonly PauseRow[];
  /** Tenants in maintenance at `now`, by tenant. */
  readonly maintenance: readonly TenantInMaintenance[];
}

/** The windows that hold at `now` (by the clock: a scheduled start or end needs no event). */
export function tenantsInMaintenance(rows: readonly MaintenanceRow[], now: Date): TenantInMaintenance[] {
  return rows
    .filter((r) => r.window && windowPhase(r.window, now) === 'active')
    .map(({ tenant, window: w }) => ({ tenant, mode: w!.mode, banner: w!.banner, startsAt: w!.startsAt, endsAt: w!.endsAt }))
    .sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
}

const ago = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)}s` : ms < 3_600_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 3_600_000)}h`);

/** Standby processes wait for the lock; a disabled one (RUN_JOBS=false) runs none of the loop. */
const rank = (r: LoopStateRow) => (r.detail?.role === 'standby' ? 0 : r.detail?.role === 'disabled' ? 1 : 2);

/**
 * The process that speaks for a loop: the freshest row of one that runs it; a disabled one only
 * when no process runs it, a standby only when nothing else reports.
 */
function speakerOf(rows: readonly LoopStateRow[]): LoopStateRow {
  const top = Math.max(...rows.map(rank));
  const pool = rows.filter((r) => rank(r) === top);
  const at = (r: LoopStateRow) => new Date(r.lastRunAt ?? r.beatAt).getTime();
  return pool.reduce((best, r) => (at(r) > at(best) ? r : best));
}

const lastRunMs = (r: LoopStateRow) => new Date(r.lastRunAt ?? r.startedAt).getTime();

/**
 * The rules of GET /api/ops/health, over the loop heartbeats and the targets read model. Pure:
 * the same facts at the same instant give the same status, live or at `?at=`.
 * Unhealthy: no loop started, a loop switched off everywhere (RUN_JOBS=false), a loop stale past
 * staleFactor × its interval (or stopped/crashed), the queue stuck (targets overdue while the
 * scheduler does not work). Degraded: a loop paused (by an operator),
 * more than disabledThreshold of the targets dead-lettered, or no recent restore drill when one
 * is required (otherwise that is a notice). A tenant in maintenance is a notice, and its targets
 * (held while it lasts) do not count toward a stuck queue.
 */
export function assessOpsHealth(facts: OpsHealthFacts, now: Date, cfg: OpsHealthConfig): OpsHealthAssessment {
  const t = now.getTime();
  const critical: string[] = [];
  const minor: string[] = [];
  const notices: string[] = [];

  const byLoop = new Map<string, LoopStateRow[]>();
  for (const l of facts.loops) byLoop.set(l.loop, [...(byLoop.get(l.loop) ?? []), l]);
  if (![...byLoop.values()].some((rows) => !rows.some(isAuxiliary))) critical.push('Jobs not started');
  const pauses = (facts.pauses ?? []).filter((p) => pauseHolds(p, now) && Date.parse(p.pausedAt) <= t);
  const pauseText = (p: LoopPauseRow) => `${p.loop} paused by ${p.pausedBy}${p.resumeAt ? ` until ${p.resumeAt}` : ''}: ${p.reason}`;
  const loops: LoopFinding[] = [];
  for (const [loop, rows] of [...byLoop].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let speaker = speakerOf(rows);
    const pause = pauses.find((p) => p.loop === loop);
    if (rank(speaker) === 1) {
      // Switched off in every process that reports it: nothing runs it, and nothing will.
      critical.push(`Jobs not started (${String(speaker.detail?.reason ?? `${loop} disabled`)})`);
      loops.push({ loop, speaker, processes: rows.length, stale: false });
      continue;
    }
    // An operator's pause shows at once, before the loop's next heartbeat says so itself.
    if (pause && speaker.state !== 'stopped' && speaker.state !== 'crashed') speaker = { ...speaker, state: 'paused' };
    const age = t - lastRunMs(speaker);
    const stale = age > cfg.staleFactor * speaker.intervalMs;
    if (speaker.state === 'stopped' || speaker.state === 'crashed') critical.push(`${loop} ${speaker.state}`);
    else if (stale) critical.push(`${loop} stale (${ago(age)} ago)`);
    else if (speaker.state === 'paused') minor.push(pause ? pauseText(pause) : `${loop} paused`);
    loops.push({ loop, speaker, processes: rows.length, stale });
  }
  // A pause of a loop no process reports is still a pause (jobs paused: degraded).
  for (const p of pauses) if (!byLoop.has(p.loop)) minor.push(pauseText(p));

  const schedulerRow = loops.find((l) => l.loop === POLL_SCHEDULER_LOOP)?.speaker ?? null;
  const scheduler = schedulerRow ? { row: schedulerRow, alive: t - lastRunMs(schedulerRow) <= cfg.staleFactor * schedulerRow.intervalMs } : null;
  const maintenance = tenantsInMaintenance(facts.maintenance ?? [], now);
  const inMaintenance = new Set(maintenance.map((m) => m.tenant));
  for (const m of maintenance) notices.push(`Tenant ${m.tenant} in maintenance (${m.mode}) since ${m.startsAt}${m.endsAt ? ` until ${m.endsAt}` : ''}`);
  // A target held by its tenant's maintenance or a pause waits by design: neither queued nor overdue.
  const subjectPauses = facts.subjectPauses ?? [];
  const holds = [pauseSource(new Map(subjectPauses.map((r) => [r.key, r])))];
  const isHeld = (r: TargetState) =>
    inMaintenance.has(r.spec?.tenant ?? '') || (subjectPauses.length > 0 && holdFor(holds, { tenant: r.spec?.tenant ?? null, target: r.key }, now) !== null);
  const waiting = facts.targets.filter((r) => !r.paused && !r.deadLetter && !isHeld(r));
  const held = subjectPauses.filter((r) => pauseRowHolds(r, now));
  for (const r of held.filter((x) => x.scope === 'tenant-jobs' || x.scope === 'tenant-targets'))
    notices.push(
      `${r.scope === 'tenant-jobs' ? 'jobs' : 'targets'} of tenant ${r.subject} paused by ${r.pausedBy}${r.resumeAt ? ` until ${r.resumeAt}` : ''}: ${r.reason}`,
    );
  let ready = 0;
  let overdue = 0;
  for (const r of waiting) {
    const due = nextDueMs(r);
    if (due === null) continue;
    if (due <= t) ready++;
    if (due <= t - cfg.stuckAfterMs) overdue++;
  }
  // A paused scheduler is not stuck: it was told to wait (the pause is the issue).
  if (overdue >= cfg.stuckMinReady && (!scheduler || !scheduler.alive || !['working', 'quiet_hours', 'paused'].includes(scheduler.row.state))) {
    const why = !scheduler
      ? 'no poll scheduler running'
      : scheduler.alive || ['stopped', 'crashed'].includes(scheduler.row.state)
        ? `scheduler ${scheduler.row.state}`
        : 'scheduler stale';
    critical.push(`Queue stuck: ${overdue} ready but ${why}`);
  }

  const total = facts.targets.length;
  const deadLettered = facts.targets.filter((r) => r.deadLetter).length;
  if (total && deadLettered / total > cfg.disabledThreshold)
    minor.push(`High disabled: ${deadLettered}/${total} (${Math.round((100 * deadLettered) / total)}%)`);

  const drillIssue = restoreDrillView(facts.drills ?? [], now, cfg.restoreDrillMaxAgeDays ?? 92).issue;
  if (drillIssue) (cfg.requireRestoreDrill ? minor : notices).push(drillIssue);

  return {
    status: critical.length ? 'unhealthy' : minor.length ? 'degraded' : 'healthy',
    issues: [...critical, ...minor],
    notices,
    loops,
    scheduler,
    queue: { waiting: waiting.length, ready, overdue },
    deadLettered,
    pauses,
    maintenance,
    held,
  };
}
