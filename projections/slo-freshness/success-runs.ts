import type { PauseSpan, SuccessRun } from './freshness-rows';

/**
 * Successes at most this far apart are merged into one run. No target can be stale inside a run as
 * long as its maxAgeSeconds is at least this (MIN_MAX_AGE_SECONDS), so the runs answer exactly
 * what every single success would, with a row change per poll but an entry per outage.
 */
export const MERGE_GAP_MS = 60_000;
/** Runs and pauses are kept this long: the longest window (30 d), the longest maxAge (1 d) and a day of margin. */
export const RETAIN_DAYS = 32;
export const DAY_MS = 86_400_000;

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The runs with one more success at `t` (in order, as a stream delivers them; an earlier one is merged where it belongs). */
export function addSuccess(runs: readonly SuccessRun[], t: number): SuccessRun[] {
  const last = runs[runs.length - 1];
  if (!last || t >= last[1]) {
    if (last && t - last[1] <= MERGE_GAP_MS) return [...runs.slice(0, -1), [last[0], t]];
    return [...runs, [t, t]];
  }
  const sorted = [...runs, [t, t] as SuccessRun].sort((a, b) => a[0] - b[0]);
  const merged: SuccessRun[] = [];
  for (const r of sorted) {
    const prev = merged[merged.length - 1];
    if (prev && r[0] - prev[1] <= MERGE_GAP_MS) merged[merged.length - 1] = [prev[0], Math.max(prev[1], r[1])];
    else merged.push(r);
  }
  return merged;
}

/** Opens a pause at `t`, ending one still open there first; pauses that ended before the retention horizon are dropped. */
export function openPause(pauses: readonly PauseSpan[], t: number, until: number | null = null): PauseSpan[] {
  const opened: PauseSpan = [t, until];
  return [...closePause(pauses, t), opened].filter((p) => p[1] === null || p[1] >= t - RETAIN_DAYS * DAY_MS);
}

/** Ends the pause that holds at `t` (one with no end, or an end still ahead) at `t`. */
export function closePause(pauses: readonly PauseSpan[], t: number): PauseSpan[] {
  return pauses.map((p): PauseSpan => (p[0] <= t && (p[1] === null || p[1] > t) ? [p[0], t] : p));
}
