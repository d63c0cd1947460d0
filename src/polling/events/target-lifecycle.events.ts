import type { DomainEvent } from '../../event-store/envelope';
import type { TargetSource, TargetSpec } from './target-spec';

/** Lifecycle facts of a target (stream `target-<type>::<name>`). Every event names its key and instant. */
export type TargetRegistered = DomainEvent<'TargetRegistered', { key: string; spec: TargetSpec; source: TargetSource; at: string }>;
export type TargetChanged = DomainEvent<'TargetChanged', { key: string; spec: TargetSpec; previous: TargetSpec; at: string }>;
/**
 * An operator paused polling. `reason`, `pausedBy` and `resumeAt` (when it ends by itself; null:
 * until resumed) are absent on pauses recorded before they existed.
 */
export type TargetPaused = DomainEvent<'TargetPaused', { key: string; at: string; reason?: string; pausedBy?: string; resumeAt?: string | null }>;
/** Polling resumes at `nextPollAt`: the target's next due time at or after the resume. `auto`: its resumeAt came (no operator). */
export type TargetResumed = DomainEvent<'TargetResumed', { key: string; at: string; nextPollAt: string; reason?: string; resumedBy?: string; auto?: boolean }>;
export type TargetRemoved = DomainEvent<'TargetRemoved', { key: string; at: string }>;
/** An operator asked for a probe now (poll-now); the active scheduler probes it, breaker or not. */
export type PollRequested = DomainEvent<'PollRequested', { key: string; at: string }>;
/** An operator took the target out of the dead-letter set; it is probed at once. */
export type TargetRedriven = DomainEvent<'TargetRedriven', { key: string; at: string; previousReason: string; retryCount: number }>;
/** An operator closed the breaker by hand; the target is probed at once. */
export type BreakerReset = DomainEvent<
  'BreakerReset',
  { key: string; at: string; previousState: string; since: string; lastTransition: string; retryAt: null; failureCount: 0; trips: 0 }
>;
