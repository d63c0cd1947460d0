import type { Role } from '../../src/auth/roles';
import type { HashScheme } from '../../src/auth/token-issued.event';

/** One row of `rm_tokens`: what the guard needs to authenticate, and what the list shows. */
export interface TokenRow {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant: string | null;
  /** Keyed digest (hex) of the secret; the lookup key of the guard (unique index). Never served. */
  readonly hash: string;
  /** Absent while `hash` is a legacy bare SHA-256 (re-keyed at start, docs/adr/0007). */
  readonly hashScheme?: HashScheme;
  readonly issuedAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly revokeReason: string | null;
}
