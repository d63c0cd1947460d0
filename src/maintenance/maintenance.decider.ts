import { Decider, Decision, reject } from '../shared/decider';
import type { MaintenanceEvent, MaintenanceMode } from './maintenance.events';
import { evolveMaintenance, initialMaintenanceState, MaintenanceState, windowPhase } from './maintenance.state';

interface Acting {
  readonly tenant: string;
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
}
/** Start now (no startsAt) or schedule a window; replaces the tenant's current one. */
export interface ScheduleMaintenance extends Acting {
  readonly kind: 'schedule';
  readonly mode: MaintenanceMode;
  readonly banner: string;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
}
/** End the open window early, or call off one that has not opened. */
export interface EndMaintenance extends Acting {
  readonly kind: 'end';
}
/** From the window loop: record the openings and closings the clock has passed. */
export interface ObserveMaintenance {
  readonly kind: 'observe';
  readonly tenant: string;
  readonly now: Date;
}
export type MaintenanceCommand = ScheduleMaintenance | EndMaintenance | ObserveMaintenance;

/**
 * The facts the clock has made true and the log does not hold yet: the window opened (at its
 * startsAt) and/or closed (at its endsAt). Every command records them first, so the log always
 * reads scheduled → started → ended in order, whoever noticed.
 */
function due(tenant: string, state: MaintenanceState, now: Date): MaintenanceEvent[] {
  const w = state.window;
  if (!w) return [];
  const phase = windowPhase(w, now);
  const out: MaintenanceEvent[] = [];
  const at = now.toISOString();
  const openedAt = w.openedAt ?? w.startsAt;
  if (phase !== 'scheduled' && w.openedAt === null)
    out.push({ type: 'MaintenanceStarted', data: { tenant, mode: w.mode, banner: w.banner, startedAt: w.startsAt, endsAt: w.endsAt, recordedAt: at } });
  if (phase === 'over')
    out.push({
      type: 'MaintenanceEnded',
      data: { tenant, mode: w.mode, startedAt: openedAt, endedAt: w.endsAt!, cause: 'window_closed', reason: null, endedBy: null, recordedAt: at },
    });
  return out;
}

function schedule(cmd: ScheduleMaintenance, state: MaintenanceState): Decision<MaintenanceEvent> {
  const now = cmd.now.getTime();
  let startsAt = cmd.now.toISOString();
  if (cmd.startsAt !== null) {
    const ms = Date.parse(cmd.startsAt);
    if (Number.isNaN(ms)) return reject('invalid', 'must be an RFC 3339 timestamp', 'startsAt');
    if (ms < now) return reject('invalid', 'must not be in the past (leave it out to start now)', 'startsAt');
    startsAt = new Date(ms).toISOString();
  }
  let endsAt: string | null = null;
  if (cmd.endsAt !== null) {
    const ms = Date.parse(cmd.endsAt);
    if (Number.isNaN(ms)) return reject('invalid', 'must be an RFC 3339 timestamp', 'endsAt');
    if (ms <= now) return reject('invalid', 'must be in the future', 'endsAt');
    if (ms <= Date.parse(startsAt)) return reject('invalid', 'must be after startsAt', 'endsAt');
    endsAt = new Date(ms).toISOString();
  }
  const facts = due(cmd.tenant, state, cmd.now);
  const before = facts.reduce(evolveMaintenance, state);
  const opensNow = Date.parse(startsAt) <= now;
  const at = cmd.now.toISOString();
  const out: MaintenanceEvent[] = [...facts];
  const open = before.window?.openedAt ? before.window : null;
  if (open && !opensNow)
    out.push({
      type: 'MaintenanceEnded',
      data: {
        tenant: cmd.tenant,
        mode: open.mode,
        startedAt: open.openedAt!,
        endedAt: at,
        cause: 'rescheduled',
        reason: cmd.reason,
        endedBy: cmd.actor,
        recordedAt: at,
      },
    });
  out.push({
    type: 'MaintenanceScheduled',
    data: { tenant: cmd.tenant, mode: cmd.mode, banner: cmd.banner, startsAt, endsAt, reason: cmd.reason, scheduledBy: cmd.actor, scheduledAt: at },
  });
  if (opensNow && !open)
    out.push({ type: 'MaintenanceStarted', data: { tenant: cmd.tenant, mode: cmd.mode, banner: cmd.banner, startedAt: startsAt, endsAt, recordedAt: at } });
  return out;
}

function end(cmd: EndMaintenance, state: MaintenanceState): Decision<MaintenanceEvent> {
  const facts = due(cmd.tenant, state, cmd.now);
  const w = facts.reduce(evolveMaintenance, state).window;
  if (!w) return reject('conflict', `tenant "${cmd.tenant}" is not in maintenance and has none scheduled`);
  const at = cmd.now.toISOString();
  if (w.openedAt)
    return [
      ...facts,
      {
        type: 'MaintenanceEnded',
        data: {
          tenant: cmd.tenant,
          mode: w.mode,
          startedAt: w.openedAt,
          endedAt: at,
          cause: 'ended_early',
          reason: cmd.reason,
          endedBy: cmd.actor,
          recordedAt: at,
        },
      },
    ];
  return [
    ...facts,
    {
      type: 'MaintenanceCancelled',
      data: { tenant: cmd.tenant, mode: w.mode, startsAt: w.startsAt, reason: cmd.reason, cancelledBy: cmd.actor, cancelledAt: at },
    },
  ];
}

function decide(cmd: MaintenanceCommand, state: MaintenanceState): Decision<MaintenanceEvent> {
  switch (cmd.kind) {
    case 'schedule':
      return schedule(cmd, state);
    case 'end':
      return end(cmd, state);
    case 'observe': {
      const facts = due(cmd.tenant, state, cmd.now);
      return facts.length ? facts : reject('conflict', `tenant "${cmd.tenant}": no maintenance window opened or closed unrecorded`);
    }
  }
}

/** One tenant's maintenance: schedule (or start now), end early or call off, record a window's opening and closing. */
export const maintenanceDecider: Decider<MaintenanceState, MaintenanceCommand, MaintenanceEvent> = {
  initialState: initialMaintenanceState,
  evolve: evolveMaintenance,
  decide,
};
