import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { Hold, HoldSource } from '../pausing/holds';
import { windowPhase } from './maintenance.state';

const open = (row: MaintenanceRow | undefined, at: Date) => (row?.window && windowPhase(row.window, at) === 'active' ? row.window : null);

/**
 * A tenant's open maintenance window holds every poll and job run of the tenant, as a pause of
 * the whole tenant would (ADR 0011, ADR 0012): no probe, no claim, cron ticks recorded as skipped.
 * The window is compared with the instant, so a scheduled start or end needs no re-read.
 */
export function maintenanceHoldSource(rows: () => ReadonlyMap<string, MaintenanceRow>): HoldSource {
  return {
    name: 'maintenance',
    holds(subject, at): Hold[] {
      if (subject.tenant === null) return [];
      const w = open(rows().get(subject.tenant), at);
      if (!w) return [];
      return [
        {
          source: 'maintenance',
          scope: 'tenant',
          subject: subject.tenant,
          tenant: subject.tenant,
          reason: `maintenance (${w.mode}): ${w.reason}`,
          by: w.scheduledBy,
          since: w.startsAt,
          until: w.endsAt,
        },
      ];
    },
    tenants: (at) => [...rows().values()].filter((r) => open(r, at)).map((r) => r.tenant),
  };
}
