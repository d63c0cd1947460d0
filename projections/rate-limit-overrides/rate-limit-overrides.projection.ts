import type { RecordedEvent } from '../../src/event-store/envelope';
import type { RateLimitOverrideEvent } from '../../src/rate-limit/rate-limit-override.events';
import type { Projection } from '../projection';

export interface RateLimitOverrideRow {
  readonly id: string;
  readonly subject: { tenant?: string; ip?: string };
  readonly limit: number;
  readonly expiresAt: string;
  readonly expiresAtEpochMs: number;
  readonly reason: string;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}

/** Inline: an override takes effect the moment it is granted. One stream per override. */
export const rateLimitOverridesProjection: Projection<RateLimitOverrideRow> = {
  name: 'rate_limit_overrides',
  version: 1,
  inline: true,
  canHandle: ['RateLimitOverrideGranted', 'RateLimitOverrideRevoked'],
  keysOf: (e) => [(e.data as { overrideId: string }).overrideId],
  evolve(row, event: RecordedEvent) {
    const e = event as unknown as RateLimitOverrideEvent;
    if (e.type === 'RateLimitOverrideGranted') {
      const d = e.data;
      return {
        id: d.overrideId,
        subject: d.subject,
        limit: d.limit,
        expiresAt: d.expiresAt,
        expiresAtEpochMs: Date.parse(d.expiresAt),
        reason: d.reason,
        grantedBy: d.grantedBy,
        grantedAt: d.grantedAt,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
      };
    }
    if (!row) return null;
    return { ...row, revokedAt: e.data.revokedAt, revokedBy: e.data.revokedBy, revokeReason: e.data.reason };
  },
};
