import type { Role } from '../../access/roles';

export const SESSION_END_REASONS = ['idle', 'absolute', 'sign-out', 'revoked'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface SessionStartedData {
  readonly sessionId: string;
  readonly tokenId: string;
  /** The token's name: the actor of everything done in the session. */
  readonly name: string;
  readonly role: Role;
  readonly tenant: string | null;
  /** Keyed digest of the cookie's secret (TOKEN_HASH_KEY, as token digests). Never served. */
  readonly hash: string;
  readonly startedAt: string;
  readonly idleTimeoutMs: number;
  readonly absoluteExpiresAt: string;
  readonly clientIp: string;
}

export interface SessionEndedData {
  readonly sessionId: string;
  readonly reason: SessionEndReason;
  /** An admin's reason for a revoke, or why the system ended it ("token revoked"). */
  readonly detail: string | null;
  readonly tenant: string | null;
  readonly endedAt: string;
}

export type SessionStarted = { readonly type: 'SessionStarted'; readonly data: SessionStartedData };
export type SessionEnded = { readonly type: 'SessionEnded'; readonly data: SessionEndedData };
export type SessionEvent = SessionStarted | SessionEnded;

/** The data fields of session events that never leave the service (timeline, stream). */
export const SESSION_EVENT_SECRET_FIELDS: Readonly<Record<SessionEvent['type'], readonly string[]>> = {
  SessionStarted: ['hash'],
  SessionEnded: [],
};

export const sessionStream = (sessionId: string) => `session-${sessionId}`;
export const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
