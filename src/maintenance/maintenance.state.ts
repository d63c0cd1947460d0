import type { MaintenanceEvent, MaintenanceMode } from './maintenance.events';

/** The tenant's current window (scheduled or open), as the decider and the read model hold it. */
export interface MaintenanceWindow {
  readonly mode: MaintenanceMode;
  readonly banner: string;
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly reason: string;
  readonly scheduledBy: string;
  readonly scheduledAt: string;
  /**
   * When the open period began, once MaintenanceStarted is in the log (null: not recorded yet). A
   * window replaced while open keeps the period's first start. The effects never wait for it: see windowPhase.
   */
  readonly openedAt: string | null;
}

export interface MaintenanceState {
  readonly window: MaintenanceWindow | null;
}

export const initialMaintenanceState: MaintenanceState = { window: null };

export type WindowPhase = 'scheduled' | 'active' | 'over';

/** Where `at` falls in a window: the one rule every effect (gate, public status, health, holds) applies. */
export function windowPhase(w: Pick<MaintenanceWindow, 'startsAt' | 'endsAt'>, at: Date): WindowPhase {
  const t = at.getTime();
  if (t < Date.parse(w.startsAt)) return 'scheduled';
  return w.endsAt !== null && t >= Date.parse(w.endsAt) ? 'over' : 'active';
}

export function evolveMaintenance(state: MaintenanceState, e: MaintenanceEvent): MaintenanceState {
  switch (e.type) {
    case 'MaintenanceScheduled': {
      const d = e.data;
      // An open window replaced by one that opens at once goes on: no second MaintenanceStarted.
      const continues = state.window?.openedAt && Date.parse(d.startsAt) <= Date.parse(d.scheduledAt) ? state.window.openedAt : null;
      return {
        window: {
          mode: d.mode,
          banner: d.banner,
          startsAt: d.startsAt,
          endsAt: d.endsAt,
          reason: d.reason,
          scheduledBy: d.scheduledBy,
          scheduledAt: d.scheduledAt,
          openedAt: continues,
        },
      };
    }
    case 'MaintenanceStarted':
      return state.window ? { window: { ...state.window, openedAt: e.data.startedAt } } : state;
    case 'MaintenanceEnded':
    case 'MaintenanceCancelled':
      return { window: null };
  }
}
