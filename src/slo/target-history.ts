import type {
  FreshnessTargetRow,
  MaintenanceSpansRow,
  PauseSpan,
  SchedulerPausesRow,
  SuccessRun,
  SuccessRunsRow,
  TenantPausesRow,
} from '../../projections/slo-freshness/freshness-rows';
import { maintenanceSpans } from '../../projections/slo-freshness/maintenance-spans';
import type { FreshnessHistory } from './freshness-slo';

/** One target's SLO inputs: its row, its success runs from some day on, the poll scheduler's pauses, its tenant's pauses of all its targets and maintenance windows. */
export interface TargetHistory {
  readonly target: FreshnessTargetRow;
  readonly successes: SuccessRun[];
  readonly schedulerPauses: readonly PauseSpan[];
  readonly tenantPauses: readonly PauseSpan[];
  readonly maintenance: readonly PauseSpan[];
}

/**
 * The targets' histories from the rows read for them (live or folded to an instant): each gets its
 * own runs, the scheduler's pauses and the pauses and maintenance windows of the tenant it has now.
 */
export function targetHistories(
  targets: readonly FreshnessTargetRow[],
  runs: readonly SuccessRunsRow[],
  scheduler: SchedulerPausesRow | null,
  maintenance: readonly MaintenanceSpansRow[],
  tenantPauses: readonly TenantPausesRow[],
): TargetHistory[] {
  const byKey = new Map<string, SuccessRun[]>();
  for (const r of runs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), ...r.runs]);
  const byTenant = new Map(maintenance.map((m) => [m.tenant, maintenanceSpans(m)]));
  const pausedByTenant = new Map(tenantPauses.map((p) => [p.tenant, p.pauses]));
  return targets.map((target) => ({
    target,
    successes: byKey.get(target.key) ?? [],
    schedulerPauses: scheduler?.pauses ?? [],
    tenantPauses: (target.tenant !== null && pausedByTenant.get(target.tenant)) || [],
    maintenance: (target.tenant !== null && byTenant.get(target.tenant)) || [],
  }));
}

/** What freshnessReport judges: the target's, its tenant's and the scheduler's pauses together, maintenance apart (reported on its own). */
export const freshnessHistory = (h: TargetHistory): FreshnessHistory => ({
  registeredAt: h.target.registeredAt,
  successes: h.successes,
  pauses: [...h.target.pauses, ...h.tenantPauses, ...h.schedulerPauses],
  maintenance: h.maintenance,
});
