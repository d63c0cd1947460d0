import type { Role } from '../../src/access/roles';
import type { HashScheme } from '../../src/auth/token-issued.event';
import { initialTokenState, TokenState } from '../../src/auth/token.state';

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

/** The token aggregate's state as stored in a row (a revoked token is one with `revokedAt`). */
export function tokenRow(s: TokenState): TokenRow | null {
  if (s.status === 'none') return null;
  return {
    tokenId: s.tokenId,
    name: s.name,
    role: s.role,
    tenant: s.tenant,
    hash: s.hash,
    ...(s.hashScheme ? { hashScheme: s.hashScheme } : {}),
    issuedAt: s.issuedAt,
    expiresAt: s.expiresAt,
    revokedAt: s.revokedAt,
    revokeReason: s.revokeReason,
  };
}

/** The state a stored row holds: the inverse of `tokenRow`. */
export function tokenStateOf(row: TokenRow | null): TokenState {
  if (!row) return initialTokenState;
  return { ...row, status: row.revokedAt ? 'revoked' : 'active', hashScheme: row.hashScheme ?? null };
}
