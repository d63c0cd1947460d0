import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { rfc3339 } from '../../shared/clock';
import { describeCron, nextTick } from '../definitions/cron-schedule';
import { isScheduled } from '../events/job-definition';

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

/** One inventory line (seeds 003 + 004): schedule in words and raw, next run, pending, last run, SLA. */
export function inventoryItem(d: JobDefinitionRow, stats: JobQueueStats | undefined, last: LastRun | undefined, now: Date) {
  const def = d.definition;
  const scheduled = isScheduled(def);
  const next = scheduled ? nextTick(def.schedule, def.timezone, now) : null;
  const runningFor = stats?.oldestRunningSince ? now.getTime() - Date.parse(stats.oldestRunningSince) : null;
  const overTarget = def.targetDurationMs !== null && runningFor !== null && runningFor > def.targetDurationMs;
  const pilingUp = (stats?.pending ?? 0) > PILING_UP_AT;
  return {
    name: d.name,
    description: def.description,
    owner: def.owner,
    schedule: scheduled ? { kind: 'cron', text: describeCron(def.schedule), cron: def.schedule, timezone: def.timezone } : { kind: 'on-demand', text: 'On demand', cron: null, timezone: def.timezone },
    priority: def.priority,
    manualRun: def.manualRun,
    cancellable: def.cancellable,
    tenant: def.tenant,
    handler: def.handler.kind,
    nextRunAt: rfc3339(next),
    nextRunInSeconds: next ? Math.max(0, Math.round((next.getTime() - now.getTime()) / 1000)) : null,
    pending: stats?.pending ?? 0,
    running: stats?.running ?? 0,
    lastRun: last ? { runId: last.runId, at: rfc3339(last.at), status: last.state, durationMs: last.durationMs } : null,
    sla: {
      targetDurationMs: def.targetDurationMs,
      runningBeyondTarget: overTarget,
      longestRunningMs: runningFor,
      pilingUp,
      attention: overTarget || pilingUp,
    },
    missedTicks: d.missedTicks,
    lastMissedTick: rfc3339(d.lastMissedTick),
  };
}
