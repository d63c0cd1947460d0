import { Injectable, Optional } from '@nestjs/common';
import { SharedCounters } from '../metrics/shared-counters';
import { AUTH_FAILURE_COUNTER } from './auth-failure-counter';

export const AUTH_FAILURE_REASONS = [
  'missing_token',
  'malformed_header',
  'unknown_token',
  'revoked_token',
  'expired_token',
  'unknown_session',
  'forbidden',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/**
 * Rejected requests by reason: in-process counts for /metrics, plus (401s only) the cross-process
 * per-minute counter the auth_failures_spike alert reads, when the metrics module is present.
 */
@Injectable()
export class AuthFailures {
  private readonly counts = new Map<AuthFailureReason, number>(AUTH_FAILURE_REASONS.map((r) => [r, 0]));

  constructor(@Optional() private readonly shared?: SharedCounters) {}

  record(reason: AuthFailureReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    // The alert watches failed authentication (guessing, leaked or stale tokens), not role refusals.
    if (reason !== 'forbidden') this.shared?.add(AUTH_FAILURE_COUNTER);
  }

  snapshot(): Record<AuthFailureReason, number> {
    return Object.fromEntries(this.counts) as Record<AuthFailureReason, number>;
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}
