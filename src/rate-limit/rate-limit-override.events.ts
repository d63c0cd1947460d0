import { DomainEvent } from '../event-store/envelope';

/** Exactly one of tenant or ip. */
export interface OverrideSubject {
  readonly tenant?: string;
  readonly ip?: string;
}

export type RateLimitOverrideGranted = DomainEvent<
  'RateLimitOverrideGranted',
  { overrideId: string; subject: OverrideSubject; limit: number; expiresAt: string; reason: string; grantedBy: string; grantedAt: string }
>;
export type RateLimitOverrideRevoked = DomainEvent<'RateLimitOverrideRevoked', { overrideId: string; reason: string; revokedBy: string; revokedAt: string }>;
export type RateLimitOverrideEvent = RateLimitOverrideGranted | RateLimitOverrideRevoked;

export const overrideStream = (id: string) => `ratelimit-override-${id}`;
