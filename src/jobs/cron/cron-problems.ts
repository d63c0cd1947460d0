import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { rfc3339 } from '../../shared/clock';
import { isScheduled } from '../events/job-definition';
import type { LastRun } from '../views/inventory.view';
import { previousTick } from '../definitions/cron-schedule';

/**
 * The "cron failing or not running" check, one line per problem: a scheduled job whose latest run
 * ended failed (dead-lettered) or expired, or whose latest tick older than `graceMs` has no run
 * (the ticker enqueues a tick within CRON_TICK_MS, so a missing one means no ticker is running).
 */
export function cronProblems(
  defs: readonly JobDefinitionRow[],
  lastRuns: ReadonlyMap<string, LastRun>,
  lastScheduledFor: ReadonlyMap<string, Date>,
  now: Date,
  graceMs: number,
): string[] {
  const out: string[] = [];
  for (const d of defs) {
    if (d.removedAt || !isScheduled(d.definition)) continue;
    const last = lastRuns.get(d.name);
    if (last?.state === 'failed' || last?.state === 'expired') out.push(`${d.name}: last run ${last.state}`);
    const due = previousTick(d.definition.schedule, d.definition.timezone, new Date(now.getTime() - graceMs));
    const ran = lastScheduledFor.get(d.name);
    if (due && due.getTime() > Date.parse(d.changedAt) && (!ran || ran.getTime() < due.getTime())) out.push(`${d.name}: tick ${rfc3339(due)} overdue`);
  }
  return out;
}
