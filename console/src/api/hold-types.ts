/** Answers of the pause, maintenance and SLO APIs (docs/api.md), as the Holds, Maintenance and SLO pages read them. */

/** What keeps a job or target from running now (`hold` on jobs and targets). */
export interface Hold {
  source: 'pause' | 'maintenance' | string;
  scope: 'job' | 'target' | 'tenant-jobs' | 'tenant-targets' | 'tenant';
  subject: string;
  reason: string;
  by: string;
  since: string;
  until: string | null;
}

export type PauseScope = 'job' | 'target' | 'tenant-jobs' | 'tenant-targets';

export interface Pause {
  scope: PauseScope;
  subject: string;
  tenant: string | null;
  paused: boolean;
  reason: string;
  pausedBy: string;
  pausedAt: string;
  resumeAt: string | null;
  resumedBy: string | null;
  resumedAt: string | null;
  resumeReason: string | null;
  autoResumed: boolean;
}

export interface LoopPause {
  loop: 'job-worker' | 'poll-scheduler';
  paused: boolean;
  reason: string | null;
  pausedBy: string | null;
  pausedAt: string | null;
  resumeAt: string | null;
  resumedBy: string | null;
  resumedAt: string | null;
  resumeReason: string | null;
}

/** GET /api/pauses */
export interface PauseList {
  loops: LoopPause[];
  pauses: Pause[];
}

export type MaintenanceMode = 'read_only' | 'offline';

/** GET /api/maintenance (items) and GET /api/tenants/:tenant/maintenance */
export interface Maintenance {
  tenant: string;
  status: 'none' | 'scheduled' | 'active';
  window: {
    mode: MaintenanceMode;
    banner: string;
    startsAt: string;
    endsAt: string | null;
    reason: string;
    scheduledBy: string;
    scheduledAt: string;
  } | null;
  last: {
    mode: MaintenanceMode;
    startedAt: string | null;
    endedAt: string;
    how: 'ended_early' | 'window_closed' | 'rescheduled' | 'cancelled';
    by: string | null;
    reason: string | null;
  } | null;
}

/** GET /api/maintenance/:tenant (public): the banner state. */
export interface MaintenanceBannerState {
  active: boolean;
  mode: MaintenanceMode | null;
  banner: string | null;
  startsAt: string | null;
  endsAt: string | null;
}

/** One item of GET /api/slo. */
export interface Slo {
  key: string;
  tenant: string | null;
  objective: { objective: number; maxAgeSeconds: number; window: '7d' | '30d' };
  at: string;
  window: { from: string; to: string; measuredSeconds: number; pausedSeconds: number; staleSeconds: number };
  attainment: number | null;
  errorBudget: { totalSeconds: number; usedSeconds: number; leftSeconds: number; usedPercent: number | null; leftPercent: number | null };
  burnRates: Record<string, number>;
  alerts: { fastBurn: boolean; slowBurn: boolean };
  freshness: { state: 'fresh' | 'stale' | 'paused'; lastSuccessAt: string | null; ageSeconds: number | null; staleSince: string | null };
}
