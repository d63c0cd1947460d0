import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { rfc3339 } from '../../shared/clock';
import { describeCron, nextTick } from '../definitions/cron-schedule';
import { isScheduled } from '../events/job-definition';
import type { Hold } from '../../pausing/holds';
import { holdView } from '../../pausing/pause.view';

export interface JobQueueStats {
  readonly pending: number;
  readonly running: number;
  /** Start of the longest-running active run. */
  readonly oldestRunningSince: string | null;
  readonly oldestReadyAt: string | null;
}
export interface LastRun {
  readonly runId: string;
  readonly state: string;
  readonly at: string;
  readonly durationMs: number | null;
}

/** Pending runs above this make the SLA widget flag a job as piling up. */
export const PILING_UP_AT = 10;

/** What an inventory line needs beyond the definition, the queue and the last run. */
export interface InventoryContext {
  /** Failures of the trend window not made good by a successful retry (unresolved-failures.ts). */
  readonly unresolvedFailures?: number;
  /** The janitor's stuck age for jobs that declare none (JANITOR_STUCK_AFTER_MS). */
  readonly defaultStuckAfterMs?: number;
  /** What holds the job now (its pause, its tenant's jobs pause), if anything. */
  readonly hold?: Hold | null;
}

/** `2h` → "2 h": the largest unit that divides the duration evenly. */
export function humanDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

/** The description with the expiration note when runs are dropped after waiting too long (a status page's "Description" column). */
export function describeJob(description: string, expiresAfterMs: number | null): string {
  if (expiresAfterMs === null) return description;
  const note = `Expires if still queued after ${humanDuration(expiresAfterMs)}.`;
  if (!description) return note;
  return `${description}${/[.!?]$/.test(description) ? '' : '.'} ${note}`;
}

/**
 * The SLA signals of one job at `now` (the inventory's `sla` block; the attention list reads the
 * same function): its oldest active run past the target duration, more than PILING_UP_AT runs
 * waiting, failures not made good.
 */
export function jobSla(d: JobDefinitionRow, stats: JobQueueStats | undefined, now: Date, unresolved = 0) {
  const target = d.definition.targetDurationMs;
  const runningFor = stats?.oldestRunningSince ? now.getTime() - Date.parse(stats.oldestRunningSince) : null;
  const overTarget = target !== null && runningFor !== null && runningFor > target;
  const pilingUp = (stats?.pending ?? 0) > PILING_UP_AT;
  return {
    targetDurationMs: target,
    runningBeyondTarget: overTarget,
    longestRunningMs: runningFor,
    pilingUp,
    // Failures a successful retry made good no longer call for attention.
    unresolvedFailures: unresolved,
    attention: overTarget || pilingUp || unresolved > 0,
  };
}

/** One inventory line: schedule in words and raw, next run, pending, last run, SLA. */
export function inventoryItem(d: JobDefinitionRow, stats: JobQueueStats | undefined, last: LastRun | undefined, now: Date, ctx: InventoryContext = {}) {
  const def = d.definition;
  const scheduled = isScheduled(def);
  const next = scheduled ? nextTick(def.schedule, def.timezone, now) : null;
  return {
    name: d.name,
    description: describeJob(def.description, def.expiresAfterMs),
    owner: def.owner,
    schedule: scheduled
      ? { kind: 'cron', text: describeCron(def.schedule), cron: def.schedule, timezone: def.timezone }
      : { kind: 'on-demand', text: 'On demand', cron: null, timezone: def.timezone },
    priority: def.priority,
    manualRun: def.manualRun,
    cancellable: def.cancellable,
    tenant: def.tenant,
    handler: def.handler.kind,
    params: def.params ?? [],
    expiresAfterMs: def.expiresAfterMs,
    stuckAfterMs: def.stuckAfterMs ?? ctx.defaultStuckAfterMs ?? null,
    nextRunAt: rfc3339(next),
    nextRunInSeconds: next ? Math.max(0, Math.round((next.getTime() - now.getTime()) / 1000)) : null,
    pending: stats?.pending ?? 0,
    running: stats?.running ?? 0,
    lastRun: last ? { runId: last.runId, at: rfc3339(last.at), status: last.state, durationMs: last.durationMs } : null,
    sla: jobSla(d, stats, now, ctx.unresolvedFailures ?? 0),
    missedTicks: d.missedTicks,
    lastMissedTick: rfc3339(d.lastMissedTick),
    hold: holdView(ctx.hold),
    skippedTicks: d.skippedTicks ?? 0,
    lastSkippedTick: rfc3339(d.lastSkippedTick ?? null),
  };
}
