import type { Role } from '../../src/access/roles';
import type { SessionEndReason } from '../../src/console/session/session.events';

/** One row of `rm_sessions`: what the guard needs to accept a session cookie, and what admins list. */
export interface SessionRow {
  readonly sessionId: string;
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant: string | null;
  /** Keyed digest of the cookie secret: the guard's lookup key (unique index). Never served. */
  readonly hash: string;
  readonly startedAt: string;
  readonly idleTimeoutMs: number;
  readonly absoluteExpiresAt: string;
  readonly clientIp: string;
  readonly endedAt: string | null;
  readonly endReason: SessionEndReason | null;
  readonly endDetail: string | null;
}
