import type { MaintenanceSpansRow, PauseSpan } from './freshness-rows';
import { DAY_MS, RETAIN_DAYS } from './success-runs';

const empty = (tenant: string): MaintenanceSpansRow => ({ kind: 'maintenance', tenant, spans: [], window: null });

/**
 * The tenant's current window finished at `t` (ended early, closed, replaced or called off): what
 * of it had begun by `t` becomes a finished span; a window that had not begun leaves nothing.
 * Spans that ended before the retention horizon are dropped.
 */
export function finishWindow(row: MaintenanceSpansRow, t: number): MaintenanceSpansRow {
  const w = row.window;
  const cut: PauseSpan | null = w && w[0] < t ? [w[0], Math.min(w[1] ?? t, t)] : null;
  const spans = (cut ? [...row.spans, cut] : row.spans).filter((s) => s[1] === null || s[1] >= t - RETAIN_DAYS * DAY_MS);
  return { ...row, spans, window: null };
}

/**
 * A window scheduled at `t` replaces the tenant's current one: that one finishes at `t` (an open
 * window replaced by one opening at once leaves two touching spans, which the SLO merges into one).
 */
export function scheduleWindow(row: MaintenanceSpansRow | null, tenant: string, t: number, window: PauseSpan): MaintenanceSpansRow {
  return { ...finishWindow(row ?? empty(tenant), t), window };
}

/** Every span the row excludes: the finished ones and the current window. */
export const maintenanceSpans = (row: MaintenanceSpansRow | null): PauseSpan[] => (row ? [...row.spans, ...(row.window ? [row.window] : [])] : []);
