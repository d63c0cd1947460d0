import type { Backoff } from './events/run.events';

/** Delay before the attempt after `failedAttempt` (1-based): base × 2^(n−1) capped, or fixed. */
export function backoffDelayMs(b: Backoff, failedAttempt: number): number {
  if (b.kind === 'fixed') return b.baseMs;
  return Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, failedAttempt - 1));
}
