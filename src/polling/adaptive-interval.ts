import type { IntervalDecision } from './events/poll-outcome.events';

export interface IntervalInputs {
  readonly now: Date;
  readonly lastSuccess: string | null;
  readonly recentErrors: number;
  readonly previousMs: number | null;
  readonly baseMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly adaptive: boolean;
  /** Quiet-hours multiplier, 1 otherwise. */
  readonly factor: number;
  /** [0, 1); injected so tests are deterministic. */
  readonly random: () => number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number) => Math.round(v * 1000) / 1000;

/** Staleness: how old the last success is relative to the max interval; 1 when it never succeeded. */
export const stalenessScore = (now: Date, lastSuccess: string | null, maxMs: number) =>
  lastSuccess === null ? 1 : clamp((now.getTime() - Date.parse(lastSuccess)) / maxMs, 0, 1);

/**
 * The adaptive interval: min + (max − min)(1 − score), divided by (1 + 0.6 × recent errors),
 * smoothed 0.6 new / 0.4 previous, ±5 % jitter, clamped to [min, max]. Fixed mode: the base, at least min.
 */
export function chooseInterval(i: IntervalInputs): IntervalDecision {
  const score = stalenessScore(i.now, i.lastSuccess, i.maxMs);
  const previousMs = i.previousMs ?? i.baseMs;
  const common = { baseMs: i.baseMs, minMs: i.minMs, maxMs: i.maxMs, stalenessScore: round(score), recentErrors: i.recentErrors, previousMs, factor: i.factor };
  if (!i.adaptive) {
    // New fixed intervals below the minimum are refused; this also holds a target registered before that rule.
    const fixedMs = Math.max(i.baseMs, i.minMs);
    return { mode: 'fixed', ...common, rawMs: i.baseMs, smoothedMs: fixedMs, jitter: 1, chosenMs: Math.round(fixedMs * i.factor) };
  }
  const raw = (i.minMs + (i.maxMs - i.minMs) * (1 - score)) / (1 + 0.6 * i.recentErrors);
  const smoothed = 0.6 * raw + 0.4 * previousMs;
  const jitter = 1 + (i.random() * 2 - 1) * 0.05;
  const chosen = clamp(smoothed * jitter, i.minMs, i.maxMs) * i.factor;
  return { mode: 'adaptive', ...common, rawMs: Math.round(raw), smoothedMs: Math.round(smoothed), jitter: round(jitter), chosenMs: Math.round(chosen) };
}
