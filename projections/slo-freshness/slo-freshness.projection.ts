import type { RecordedEvent } from '../../src/event-store/envelope';
import type { MaintenanceEvent } from '../../src/maintenance/maintenance.events';
import type { LoopPauseEvent } from '../../src/pausing/loop-pause.events';
import type { TenantTargetsPaused, TenantTargetsResumed } from '../../src/pausing/pause.events';
import { LOOP_PAUSE_EVENT_TYPES } from '../../src/pausing/loop-pause.events';
import type { TargetEvent } from '../../src/polling/events/target.events';
import type { Projection } from '../projection';
import type { FreshnessRow, FreshnessTargetRow, MaintenanceSpansRow, SchedulerPausesRow, SuccessRunsRow, TenantPausesRow } from './freshness-rows';
import { finishWindow, scheduleWindow } from './maintenance-spans';
import { addSuccess, closePause, DAY_MS, openPause, RETAIN_DAYS, utcDay } from './success-runs';

const TYPES = [
  'TargetRegistered',
  'TargetChanged',
  'TargetPaused',
  'TargetResumed',
  'TargetRemoved',
  'PollSucceeded',
  'FreshnessObjectiveSet',
  'FreshnessObjectiveCleared',
  ...LOOP_PAUSE_EVENT_TYPES,
  'TenantTargetsPaused',
  'TenantTargetsResumed',
  // Not MaintenanceStarted: a window opens at its startsAt whether or not that is recorded yet, and the span already says so.
  'MaintenanceScheduled',
  'MaintenanceEnded',
  'MaintenanceCancelled',
] as const;

type Handled = Extract<TargetEvent | LoopPauseEvent | MaintenanceEvent | TenantTargetsPaused | TenantTargetsResumed, { type: (typeof TYPES)[number] }>;

export const freshnessTargetKey = (key: string) => `target|${key}`;
export const successRunsKey = (key: string, day: string) => `runs|${key}|${day}`;
export const SCHEDULER_KEY = 'scheduler';
export const maintenanceKey = (tenant: string) => `maintenance|${tenant}`;
export const tenantPausesKey = (tenant: string) => `tenant-pauses|${tenant}`;
const ms = (iso: string) => Date.parse(iso);

/**
 * `rm_slo_freshness`: what the freshness objectives are computed from (src/slo), for every target
 * whether it has an objective or not (setting one judges the history already there). Per target a
 * `target` row (tenant, registration, objective, pauses) and one `runs` row per UTC day of its
 * successful polls merged into runs; one `scheduler` row with the poll scheduler's pauses; per
 * tenant that ever had a maintenance window a `maintenance` row with its windows as spans, and per
 * tenant whose targets were ever paused together a `tenant-pauses` row. Rows
 * older than RETAIN_DAYS are deleted by the events themselves: each success deletes the runs row
 * of the day RETAIN_DAYS + 1 before it, and a removal deletes every runs row of the target.
 */
export const sloFreshnessProjection: Projection<FreshnessRow> = {
  name: 'slo_freshness',
  version: 3,
  inline: false,
  canHandle: TYPES,
  keysOf(e: RecordedEvent) {
    const ev = e as unknown as Handled;
    if (ev.type === 'LoopPaused' || ev.type === 'LoopResumed') return ev.data.loop === 'poll-scheduler' ? [SCHEDULER_KEY] : [];
    if (ev.type === 'MaintenanceScheduled' || ev.type === 'MaintenanceEnded' || ev.type === 'MaintenanceCancelled') return [maintenanceKey(ev.data.tenant)];
    if (ev.type === 'TenantTargetsPaused' || ev.type === 'TenantTargetsResumed') return [tenantPausesKey(ev.data.subject)];
    const key = ev.data.key;
    const at = ms(ev.data.at);
    if (ev.type === 'PollSucceeded') return [successRunsKey(key, utcDay(at)), successRunsKey(key, utcDay(at - (RETAIN_DAYS + 1) * DAY_MS))];
    if (ev.type === 'TargetRemoved')
      return [freshnessTargetKey(key), ...Array.from({ length: RETAIN_DAYS + 2 }, (_, i) => successRunsKey(key, utcDay(at - i * DAY_MS)))];
    return [freshnessTargetKey(key)];
  },
  evolve(row, e, rowKey) {
    const ev = e as unknown as Handled;
    switch (ev.type) {
      case 'LoopPaused': {
        const pauses = (row as SchedulerPausesRow | null)?.pauses ?? [];
        return { kind: 'scheduler', pauses: openPause(pauses, ms(ev.data.at), ev.data.resumeAt ? ms(ev.data.resumeAt) : null) };
      }
      case 'LoopResumed':
        return row ? { kind: 'scheduler', pauses: closePause((row as SchedulerPausesRow).pauses, ms(ev.data.at)) } : null;
      // A pause of every target of a tenant ends by itself at its resumeAt (the auto-resume is recorded at that instant too).
      case 'TenantTargetsPaused': {
        const pauses = (row as TenantPausesRow | null)?.pauses ?? [];
        return { kind: 'tenant-pauses', tenant: ev.data.subject, pauses: openPause(pauses, ms(ev.data.at), ev.data.resumeAt ? ms(ev.data.resumeAt) : null) };
      }
      case 'TenantTargetsResumed':
        return row ? { ...(row as TenantPausesRow), pauses: closePause((row as TenantPausesRow).pauses, ms(ev.data.at)) } : null;
      case 'MaintenanceScheduled': {
        const d = ev.data;
        return scheduleWindow(row as MaintenanceSpansRow | null, d.tenant, ms(d.scheduledAt), [ms(d.startsAt), d.endsAt ? ms(d.endsAt) : null]);
      }
      // Ended early, closed by its endsAt (endedAt is that instant, whenever it was recorded), replaced by a later window.
      case 'MaintenanceEnded':
        return row ? finishWindow(row as MaintenanceSpansRow, ms(ev.data.endedAt)) : null;
      // Called off before it opened: it leaves no span.
      case 'MaintenanceCancelled':
        return row ? finishWindow(row as MaintenanceSpansRow, ms(ev.data.cancelledAt)) : null;
      case 'PollSucceeded': {
        const day = utcDay(ms(ev.data.at));
        if (!rowKey.endsWith(`|${day}`)) return null; // the runs row past retention
        const runs = row as SuccessRunsRow | null;
        return { kind: 'runs', key: ev.data.key, day, runs: addSuccess(runs?.runs ?? [], ms(ev.data.at)) };
      }
      case 'TargetRemoved':
        return null;
      case 'TargetRegistered':
        return {
          kind: 'target',
          key: ev.data.key,
          tenant: ev.data.spec.tenant ?? null,
          registeredAt: ms(ev.data.at),
          objective: ev.data.spec.freshness ?? null,
          pauses: [],
        };
    }
    const t = row as FreshnessTargetRow | null;
    if (!t) return null; // a stream whose registration is older than this projection's history (none: it folds from the start)
    switch (ev.type) {
      case 'TargetChanged':
        return { ...t, tenant: ev.data.spec.tenant ?? null, objective: ev.data.spec.freshness ?? null };
      case 'FreshnessObjectiveSet':
        return { ...t, objective: ev.data.objective };
      case 'FreshnessObjectiveCleared':
        return { ...t, objective: null };
      case 'TargetPaused':
        return { ...t, pauses: openPause(t.pauses, ms(ev.data.at)) };
      case 'TargetResumed':
        return { ...t, pauses: closePause(t.pauses, ms(ev.data.at)) };
      default:
        return t;
    }
  },
};
