import { tokenStatus } from '../../auth/token-status';
import type { SessionLookup } from './session-repository';
import type { SessionEndReason } from './session.events';

export interface Expiry {
  readonly reason: SessionEndReason;
  readonly detail: string | null;
}

/**
 * Why an active session must end now, or null. Its token comes first: a revoked or expired token
 * ends its sessions (reason revoked); then the absolute limit; then idleness, measured from the
 * last request (sign-in counts as one).
 */
export function expiryOf(s: SessionLookup, now: Date, lastSeenHere: Date | null = null): Expiry | null {
  const t = now.getTime();
  if (!s.token) return { reason: 'revoked', detail: 'token no longer exists' };
  const status = tokenStatus(s.token, t);
  if (status !== 'active') return { reason: 'revoked', detail: `token ${status}` };
  if (Date.parse(s.row.absoluteExpiresAt) <= t) return { reason: 'absolute', detail: null };
  const seen = Math.max(Date.parse(s.row.startedAt), s.lastSeenAt?.getTime() ?? 0, lastSeenHere?.getTime() ?? 0);
  if (t - seen >= s.row.idleTimeoutMs) return { reason: 'idle', detail: null };
  return null;
}

/** When an active session would end by idleness if no request came. */
export function idleExpiresAt(s: Pick<SessionLookup, 'row' | 'lastSeenAt'>): string {
  const seen = Math.max(Date.parse(s.row.startedAt), s.lastSeenAt?.getTime() ?? 0);
  return new Date(Math.min(seen + s.row.idleTimeoutMs, Date.parse(s.row.absoluteExpiresAt))).toISOString();
}
