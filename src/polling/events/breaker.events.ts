import type { DomainEvent } from '../../event-store/envelope';

/** Every breaker transition carries the full timing of the new state (the `breaker` object of scheduler health and the target API). */
export interface BreakerTransition {
  readonly key: string;
  readonly since: string;
  readonly lastTransition: string;
  readonly retryAt: string | null;
  readonly failureCount: number;
  /** Consecutive trips without closing: the open time is base × 2^(trips−1), capped. */
  readonly trips: number;
}

export type BreakerOpened = DomainEvent<'BreakerOpened', BreakerTransition>;
export type BreakerHalfOpened = DomainEvent<'BreakerHalfOpened', BreakerTransition>;
export type BreakerClosed = DomainEvent<'BreakerClosed', BreakerTransition>;
export type BreakerEvent = BreakerOpened | BreakerHalfOpened | BreakerClosed;
