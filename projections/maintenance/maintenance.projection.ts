import type { RecordedEvent } from '../../src/event-store/envelope';
import { MAINTENANCE_EVENT_TYPES, MaintenanceEvent } from '../../src/maintenance/maintenance.events';
import { evolveMaintenance } from '../../src/maintenance/maintenance.state';
import type { Projection } from '../projection';
import type { FinishedWindow, MaintenanceRow } from './maintenance-row';

function finished(e: MaintenanceEvent): FinishedWindow | undefined {
  if (e.type === 'MaintenanceEnded') {
    const d = e.data;
    return { mode: d.mode, startedAt: d.startedAt, endedAt: d.endedAt, how: d.cause, by: d.endedBy, reason: d.reason };
  }
  if (e.type === 'MaintenanceCancelled') {
    const d = e.data;
    return { mode: d.mode, startedAt: null, endedAt: d.cancelledAt, how: 'cancelled', by: d.cancelledBy, reason: d.reason };
  }
  return undefined;
}

const changedAt = (e: MaintenanceEvent) =>
  e.type === 'MaintenanceScheduled' ? e.data.scheduledAt : e.type === 'MaintenanceCancelled' ? e.data.cancelledAt : e.data.recordedAt;

/**
 * `rm_maintenance`, inline (one stream per tenant): the gate, the public status and ops health read
 * the window right after the operator's change commits. The window is the decider's own fold.
 */
export const maintenanceProjection: Projection<MaintenanceRow> = {
  name: 'maintenance',
  version: 1,
  inline: true,
  canHandle: MAINTENANCE_EVENT_TYPES,
  keysOf: (e: RecordedEvent) => [(e.data as { tenant: string }).tenant],
  evolve(row, event, tenant) {
    const e = event as unknown as MaintenanceEvent;
    const { window } = evolveMaintenance({ window: row?.window ?? null }, e);
    return { tenant, window, last: finished(e) ?? row?.last ?? null, updatedAt: changedAt(e) };
  },
};
