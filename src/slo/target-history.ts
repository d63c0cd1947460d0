import type {
  FreshnessTargetRow,
  MaintenanceSpansRow,
  PauseSpan,
  SchedulerPausesRow,
  SuccessRun,
  SuccessRunsRow,
} from '../../projections/slo-freshness/freshness-rows';
import { maintenanceSpans } from '../../projections/slo-freshness/maintenance-spans';
import type { FreshnessHistory } from './freshness-slo';

/** One target's SLO inputs: its row, its success runs from some day on, the poll scheduler's pauses and its tenant's maintenance windows. */
export interface TargetHistory {
  readonly target: FreshnessTargetRow;
  readonly successes: SuccessRun[];
  readonly schedulerPauses: readonly PauseSpan[];
  readonly maintenance: readonly PauseSpan[];
}

/**
 * The targets' histories from the rows read for them (live or folded to an instant): each gets its
 * own runs, the scheduler's pauses and the maintenance windows of the tenant it has now.
 */
export function targetHistories(
  targets: readonly FreshnessTargetRow[],
  runs: readonly SuccessRunsRow[],
  scheduler: SchedulerPausesRow | null,
  maintenance: readonly MaintenanceSpansRow[],
): TargetHistory[] {
  const byKey = new Map<string, SuccessRun[]>();
  for (const r of runs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), ...r.runs]);
  const byTenant = new Map(maintenance.map((m) => [m.tenant, maintenanceSpans(m)]));
  return targets.map((target) => ({
    target,
    successes: byKey.get(target.key) ?? [],
    schedulerPauses: scheduler?.pauses ?? [],
    maintenance: (target.tenant !== null && byTenant.get(target.tenant)) || [],
  }));
}

/** What freshnessReport judges: the target's and the scheduler's pauses together, maintenance apart (reported on its own). */
export const freshnessHistory = (h: TargetHistory): FreshnessHistory => ({
  registeredAt: h.target.registeredAt,
  successes: h.successes,
  pauses: [...h.target.pauses, ...h.schedulerPauses],
  maintenance: h.maintenance,
});
