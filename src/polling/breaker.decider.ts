import type { Decider } from '../shared/decider';
import type { BreakerEvent, BreakerTransition } from './events/breaker.events';
import type { FailureCategory } from './events/poll-outcome.events';
import type { TargetEvent } from './events/target.events';
import { BreakerSnapshot, closedBreaker, evolveBreaker } from './target.state';

export interface BreakerConfig {
  readonly failureThreshold: number;
  readonly openBaseMs: number;
  readonly openMaxMs: number;
}

/** Every breaker command names its target and carries the breaker settings it is decided with. */
interface BreakerCommandBase {
  readonly key: string;
  readonly config: BreakerConfig;
  readonly at: Date;
}

export type BreakerCommand =
  /** A probe is about to run: an open breaker whose time is up (or a forced probe) half-opens first. */
  | (BreakerCommandBase & { readonly type: 'AdmitProbe'; readonly force?: boolean })
  | (BreakerCommandBase & { readonly type: 'RecordOutcome'; readonly ok: boolean; readonly category?: FailureCategory });

/** Open time of trip n: base × 2^(n−1), capped. */
export const openDurationMs = (trips: number, cfg: BreakerConfig) => Math.min(cfg.openBaseMs * 2 ** Math.max(0, trips - 1), cfg.openMaxMs);

/** A closed or half-open breaker admits the probe; an open one only once its retryAt has passed. */
export const breakerAdmits = (b: BreakerSnapshot, at: Date) => b.state !== 'open' || (b.retryAt !== null && at.getTime() >= Date.parse(b.retryAt));

/**
 * closed → open after N consecutive failures; open → half_open when retryAt passes (one probe);
 * half_open → closed on success (reset), → open again on failure with a doubled open time.
 * A `config` failure (the egress policy refused the request) sent nothing to the target, so it
 * says nothing about the target's health and does not count toward opening; a half-open breaker's
 * one probe still has to end, so there it re-opens like any failure.
 */
export function decideBreaker(cmd: BreakerCommand, b: BreakerSnapshot): BreakerEvent[] {
  const at = cmd.at.toISOString();
  const t = (over: Partial<BreakerTransition>): BreakerTransition => ({
    key: cmd.key,
    since: at,
    lastTransition: at,
    retryAt: null,
    failureCount: b.failureCount,
    trips: b.trips,
    ...over,
  });
  if (cmd.type === 'AdmitProbe') {
    if (b.state !== 'open') return [];
    if (!cmd.force && !breakerAdmits(b, cmd.at)) return [];
    return [{ type: 'BreakerHalfOpened', data: t({ retryAt: at }) }];
  }
  if (cmd.ok) {
    return b.state === 'closed' ? [] : [{ type: 'BreakerClosed', data: t({ failureCount: 0, trips: 0 }) }];
  }
  if (cmd.category === 'config' && b.state === 'closed') return [];
  const failureCount = b.failureCount + 1;
  if (b.state === 'closed' && failureCount < cmd.config.failureThreshold) return [];
  const trips = b.trips + 1;
  return [{ type: 'BreakerOpened', data: t({ failureCount, trips, retryAt: new Date(cmd.at.getTime() + openDurationMs(trips, cmd.config)).toISOString() }) }];
}

/**
 * A target's breaker as a decider. Its state is folded from all of the target's events (a failed
 * poll counts toward opening), by the same fold the target's state uses (evolveBreaker); it never
 * rejects: a breaker that need not move answers with no events.
 */
export const breakerDecider: Decider<BreakerSnapshot, BreakerCommand, TargetEvent> = {
  initialState: closedBreaker(null),
  evolve: evolveBreaker,
  decide: decideBreaker,
};
