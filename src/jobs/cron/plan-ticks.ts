import { ticksBetween } from '../definitions/cron-schedule';
import type { CatchUpPolicy } from '../events/job-definition';

export interface TickPlan {
  /** Ticks due now: enqueue each. */
  readonly due: Date[];
  /** Ticks that passed while nothing ran (older than the grace): record TickMissed for each. */
  readonly missed: Date[];
  /** Missed ticks to run anyway, per the catch-up policy. */
  readonly catchUp: Date[];
}

/**
 * Pure: which ticks of `cron` after `last` are due at `now`. A tick older than `graceMs` when first
 * seen was missed (the process was down). Policy `once` runs the latest missed tick only — and not
 * even that when a tick is due now anyway; `all` runs every missed tick; `skip` runs none.
 */
export function planTicks(cron: string, timezone: string, last: Date, now: Date, graceMs: number, policy: CatchUpPolicy, limit = 1000): TickPlan {
  const ticks = ticksBetween(cron, timezone, last, now, limit);
  const cutoff = now.getTime() - graceMs;
  const missed = ticks.filter((t) => t.getTime() < cutoff);
  const due = ticks.filter((t) => t.getTime() >= cutoff);
  const catchUp = policy === 'all' ? missed : policy === 'once' && missed.length && !due.length ? [missed[missed.length - 1]] : [];
  return { due, missed, catchUp };
}
