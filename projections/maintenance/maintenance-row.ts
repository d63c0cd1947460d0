import type { MaintenanceMode } from '../../src/maintenance/maintenance.events';
import type { MaintenanceWindow } from '../../src/maintenance/maintenance.state';

/** How the tenant's last window finished. */
export interface FinishedWindow {
  readonly mode: MaintenanceMode;
  /** When its open period began (null: called off before it opened). */
  readonly startedAt: string | null;
  /** When it closed, or was called off. */
  readonly endedAt: string;
  readonly how: 'ended_early' | 'window_closed' | 'rescheduled' | 'cancelled';
  /** The operator who ended or called it off (null: its endsAt passed). */
  readonly by: string | null;
  readonly reason: string | null;
}

/** One tenant's maintenance: its current window (scheduled or open; the clock says which) and the last one that finished. */
export interface MaintenanceRow {
  readonly tenant: string;
  readonly window: MaintenanceWindow | null;
  readonly last: FinishedWindow | null;
  readonly updatedAt: string;
}
