import type { FinishedWindow, MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { ActiveMaintenance } from '../access/maintenance-gate';
import { windowPhase } from './maintenance.state';

/**
 * A tenant's maintenance at `now`, as operators read it. The phase comes from the clock: a window
 * whose endsAt has passed is shown finished (`window_closed`) before the window loop records it.
 */
export function maintenanceView(tenant: string, row: MaintenanceRow | null, now: Date) {
  const w = row?.window ?? null;
  const phase = w ? windowPhase(w, now) : null;
  let last: FinishedWindow | null = row?.last ?? null;
  if (w && phase === 'over') last = { mode: w.mode, startedAt: w.openedAt ?? w.startsAt, endedAt: w.endsAt!, how: 'window_closed', by: null, reason: null };
  const current = w && phase !== 'over' ? w : null;
  return {
    tenant,
    status: current ? (phase as 'scheduled' | 'active') : ('none' as const),
    window: current
      ? {
          mode: current.mode,
          banner: current.banner,
          startsAt: current.startsAt,
          endsAt: current.endsAt,
          reason: current.reason,
          scheduledBy: current.scheduledBy,
          scheduledAt: current.scheduledAt,
        }
      : null,
    last,
  };
}
export type MaintenanceView = ReturnType<typeof maintenanceView>;

/**
 * GET /api/maintenance/:tenant (public): the banner state only. An upcoming window is shown with
 * `active: false` so a front-end can announce it; no window, an unknown tenant and a finished
 * window all answer the same body (no tenant enumeration).
 */
export function publicMaintenanceView(row: MaintenanceRow | null, now: Date) {
  const w = row?.window ?? null;
  const phase = w ? windowPhase(w, now) : 'over';
  if (!w || phase === 'over') return { active: false, mode: null, banner: null, startsAt: null, endsAt: null };
  return { active: phase === 'active', mode: w.mode, banner: w.banner, startsAt: w.startsAt, endsAt: w.endsAt };
}

/** The window that holds at `at`, in the shape the gate and the pause holds use, or null. */
export function activeMaintenance(row: MaintenanceRow, at: Date): ActiveMaintenance | null {
  const w = row.window;
  if (!w || windowPhase(w, at) !== 'active') return null;
  return { tenant: row.tenant, mode: w.mode, banner: w.banner, startsAt: w.startsAt, endsAt: w.endsAt };
}
