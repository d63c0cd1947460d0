import type { PauseSpan, SuccessRun } from '../../projections/slo-freshness/freshness-rows';
import type { FreshnessObjective } from '../polling/events/target-spec';
import { windowMs } from '../polling/events/target-spec';

/**
 * Freshness objectives computed from intervals, not samples (docs/adr/0014). A target is fresh at
 * instant t when its last successful poll before t is at most maxAge old; it goes stale the moment
 * that age passes maxAge and stays stale until the next success. Measured from its registration.
 * Excluded (neither fresh nor stale, out of the budget): the target's own pauses, the poll
 * scheduler's, and its tenant's maintenance windows (which hold its polls); the age starts over
 * when an exclusion ends, as it does at registration. Dead-lettered and open-breaker time counts:
 * those are the failures the objective is about.
 */
export interface FreshnessHistory {
  /** Epoch ms the target was registered: measuring starts here. */
  readonly registeredAt: number;
  /** Successful polls: single instants as [t, t], or runs of successes each less than maxAge after the one before. Any order. */
  readonly successes: readonly SuccessRun[];
  /** Excluded spans [from, to), `to` null while it lasts; may overlap. */
  readonly pauses: readonly PauseSpan[];
  /** The tenant's maintenance windows [from, to), also excluded but reported apart; may overlap the pauses (the overlap counts as paused). */
  readonly maintenance: readonly PauseSpan[];
}

type Span = readonly [number, number];

const overlap = (spans: readonly Span[], lo: number, hi: number) => spans.reduce((n, [a, b]) => n + Math.max(0, Math.min(b, hi) - Math.max(a, lo)), 0);

/** Sorted, merged spans (touching ones joined). */
function merge(spans: readonly Span[]): Span[] {
  const out: [number, number][] = [];
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The spans that had begun by `at`, cut at `at`, merged. */
const cut = (spans: readonly PauseSpan[], at: number): Span[] =>
  merge(
    spans
      .filter(([a]) => a < at)
      .map(([a, b]): Span => [a, Math.min(b ?? at, at)])
      .filter(([a, b]) => b > a),
  );

/** The pauses that had begun by `at`, cut at `at`, merged. */
export const pausedSpans = (h: FreshnessHistory, at: number): Span[] => cut(h.pauses, at);

/** Everything excluded by `at` (pauses and maintenance windows), cut at `at`, merged: an instant in both counts once. */
export const excludedSpans = (h: FreshnessHistory, at: number): Span[] => cut([...h.pauses, ...h.maintenance], at);

const holdsAt = (spans: readonly PauseSpan[], at: number) => spans.some(([a, b]) => a <= at && (b === null || b > at));

/**
 * The stale intervals [from, to) between registration and `at`. Every success run and every excluded
 * span "resets" the age (an exclusion also keeps the target from going stale while it lasts); staleness
 * starts maxAge after the end of a reset and lasts until the next one begins.
 */
export function staleSpans(h: FreshnessHistory, maxAgeMs: number, at: number): Span[] {
  return sweep(h, maxAgeMs, at).stale;
}

const byStart = (x: SuccessRun, y: SuccessRun) => x[0] - y[0];
/** Rows hand the runs over in order already (by day, then within the day): sort only when they are not. */
const sorted = (runs: readonly SuccessRun[]) => (runs.every((r, i) => i === 0 || runs[i - 1][0] <= r[0]) ? runs : [...runs].sort(byStart));

/** staleSpans, and the end of the last reset (the instant the current age counts from). One pass over runs and exclusions, both in start order. */
function sweep(h: FreshnessHistory, maxAgeMs: number, at: number): { stale: Span[]; lastReset: number } {
  const runs = sorted(h.successes);
  const paused = excludedSpans(h, at);
  const stale: Span[] = [];
  let end = h.registeredAt; // registration is the first reset
  const visit = (a: number, b: number) => {
    if (b < h.registeredAt) return;
    if (a > end + maxAgeMs) stale.push([end + maxAgeMs, a]);
    if (b > end) end = b;
  };
  let i = 0;
  let j = 0;
  while (true) {
    const run = i < runs.length && runs[i][0] <= at ? runs[i] : null;
    const pause = j < paused.length ? paused[j] : null;
    if (!run && !pause) break;
    if (run && (!pause || run[0] <= pause[0])) {
      visit(run[0], Math.min(run[1], at));
      i++;
    } else {
      visit(pause![0], pause![1]);
      j++;
    }
  }
  if (at > end + maxAgeMs) stale.push([end + maxAgeMs, at]);
  return { stale, lastReset: end };
}

/** Figures of one window ending at `at`, in ms. */
export interface WindowFigures {
  readonly from: number;
  /** Time the target existed and was not excluded in the window: what the objective is judged on. */
  readonly measuredMs: number;
  /** Excluded because the target or the scheduler was paused. */
  readonly pausedMs: number;
  /** Excluded because its tenant was in maintenance, and not paused as well (no instant is excluded twice). */
  readonly maintenanceMs: number;
  readonly staleMs: number;
}

/** The stale, paused and excluded (paused or in maintenance) spans up to `at`, each merged. */
export interface SpansAt {
  readonly stale: readonly Span[];
  readonly paused: readonly Span[];
  readonly excluded: readonly Span[];
}

export function windowFigures(h: FreshnessHistory, spans: SpansAt, at: number, lengthMs: number): WindowFigures {
  const from = at - lengthMs;
  const lo = Math.max(from, h.registeredAt);
  if (lo >= at) return { from, measuredMs: 0, pausedMs: 0, maintenanceMs: 0, staleMs: 0 };
  const pausedMs = overlap(spans.paused, lo, at);
  const excludedMs = overlap(spans.excluded, lo, at);
  return { from, measuredMs: at - lo - excludedMs, pausedMs, maintenanceMs: excludedMs - pausedMs, staleMs: overlap(spans.stale, lo, at) };
}

/**
 * How fast the error budget burns over a window: the stale share of its measured time divided by
 * the share the objective allows (1 = the whole budget is spent exactly at the window's end, 14.4
 * over 1 h = 2 % of a 30-day budget in that hour). 0 for a window with no measured time.
 */
export const burnRate = (w: WindowFigures, objective: number): number => (w.measuredMs > 0 ? w.staleMs / w.measuredMs / (1 - objective / 100) : 0);

/** `paused` wins over `maintenance` when both hold (as the overlap counts as paused). */
export type FreshnessState = 'fresh' | 'stale' | 'paused' | 'maintenance';

export interface CurrentFreshness {
  readonly state: FreshnessState;
  /** The last successful poll at or before `at` (null: none yet, or only before the runs kept). */
  readonly lastSuccessAt: number | null;
  /** When the current stale stretch began (null unless stale). */
  readonly staleSince: number | null;
}

export interface FreshnessReport {
  readonly at: number;
  readonly objective: FreshnessObjective;
  readonly window: WindowFigures;
  /** Percent of the measured time the target was fresh; null with no measured time. */
  readonly attainment: number | null;
  readonly budgetMs: number;
  readonly budgetUsedMs: number;
  /** Burn rate per window length in ms (the alert windows). */
  readonly burnRates: ReadonlyMap<number, number>;
  readonly current: CurrentFreshness;
}

/** The freshness objective's figures at `at`: over its rolling window and over each burn-rate window. */
export function freshnessReport(h: FreshnessHistory, objective: FreshnessObjective, at: number, burnWindowsMs: readonly number[]): FreshnessReport {
  const maxAgeMs = objective.maxAgeSeconds * 1000;
  const { stale, lastReset } = sweep(h, maxAgeMs, at);
  const spans: SpansAt = { stale, paused: pausedSpans(h, at), excluded: excludedSpans(h, at) };
  const window = windowFigures(h, spans, at, windowMs(objective.window));
  const pausedNow = holdsAt(h.pauses, at);
  const maintenanceNow = !pausedNow && holdsAt(h.maintenance, at);
  const staleNow = !pausedNow && !maintenanceNow && at > lastReset + maxAgeMs;
  let lastSuccessAt: number | null = null;
  for (const [a, b] of h.successes) if (a <= at && (lastSuccessAt === null || Math.min(b, at) > lastSuccessAt)) lastSuccessAt = Math.min(b, at);
  return {
    at,
    objective,
    window,
    attainment: window.measuredMs > 0 ? 100 * (1 - window.staleMs / window.measuredMs) : null,
    budgetMs: (1 - objective.objective / 100) * window.measuredMs,
    budgetUsedMs: window.staleMs,
    burnRates: new Map(burnWindowsMs.map((w) => [w, burnRate(windowFigures(h, spans, at, w), objective.objective)])),
    current: {
      state: pausedNow ? 'paused' : maintenanceNow ? 'maintenance' : staleNow ? 'stale' : 'fresh',
      lastSuccessAt,
      staleSince: staleNow ? lastReset + maxAgeMs : null,
    },
  };
}
