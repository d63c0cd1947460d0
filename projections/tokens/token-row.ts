import type { Role } from '../../src/auth/roles';

/** One row of `rm_tokens`: what the guard needs to authenticate, and what the list shows. */
export interface TokenRow {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant: string | null;
  /** SHA-256 hex of the secret; the lookup key of the guard (unique index). Never served. */
  readonly hash: string;
  readonly issuedAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly revokeReason: string | null;
}
