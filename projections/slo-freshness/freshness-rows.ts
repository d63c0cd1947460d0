import type { FreshnessObjective } from '../../src/polling/events/target-spec';

/** [from, to] in epoch ms: successive successful polls, each at most MERGE_GAP_MS after the one before (a point when alone). */
export type SuccessRun = readonly [from: number, to: number];
/** [from, to) in epoch ms; `to` null while it lasts. */
export type PauseSpan = readonly [from: number, to: number | null];

/** Per target: what the SLO needs besides its successes. Key `target|<type::name>`. */
export interface FreshnessTargetRow {
  readonly kind: 'target';
  readonly key: string;
  readonly tenant: string | null;
  readonly registeredAt: number;
  readonly objective: FreshnessObjective | null;
  /** The target's pauses (excluded from the SLO), oldest first, those that ended more than RETAIN_DAYS ago dropped. */
  readonly pauses: readonly PauseSpan[];
}

/** One target's successful polls of one UTC day, merged into runs. Key `runs|<type::name>|<YYYY-MM-DD>`. */
export interface SuccessRunsRow {
  readonly kind: 'runs';
  readonly key: string;
  readonly day: string;
  readonly runs: readonly SuccessRun[];
}

/** Pauses of the whole poll scheduler (excluded from every target's SLO). Key `scheduler`. */
export interface SchedulerPausesRow {
  readonly kind: 'scheduler';
  readonly pauses: readonly PauseSpan[];
}

/**
 * One tenant's maintenance windows as spans excluded from the SLO of each of its targets (ADR 0014
 * §3, amended). Key `maintenance|<tenant>`.
 */
export interface MaintenanceSpansRow {
  readonly kind: 'maintenance';
  readonly tenant: string;
  /** Windows that finished (ended, closed, replaced) cut where they finished, oldest first; those that ended more than RETAIN_DAYS ago dropped. */
  readonly spans: readonly PauseSpan[];
  /**
   * The current window [startsAt, endsAt) (`to` null: until ended), as scheduled: it may not have
   * opened yet, or have closed already by its endsAt with the MaintenanceEnded not recorded yet.
   * The instant asked about decides, as it does for the holds; no event is waited for.
   */
  readonly window: PauseSpan | null;
}

/** Pauses of every target of one tenant (TenantTargetsPaused): excluded from the SLO of each of its targets as its own pauses are. Key `tenant-pauses|<tenant>`. */
export interface TenantPausesRow {
  readonly kind: 'tenant-pauses';
  readonly tenant: string;
  readonly pauses: readonly PauseSpan[];
}

export type FreshnessRow = FreshnessTargetRow | SuccessRunsRow | SchedulerPausesRow | MaintenanceSpansRow | TenantPausesRow;
