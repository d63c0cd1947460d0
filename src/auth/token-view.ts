import type { TokenRow } from '../../projections/tokens/token-row';
import { TokenStatus, tokenStatus } from './token-status';

/** A token as lists show it (API and CLI): everything but the hash, with its status now. */
export interface TokenView {
  tokenId: string;
  name: string;
  role: string;
  tenant: string | null;
  status: TokenStatus;
  issuedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
}

export function tokenView(r: TokenRow, nowMs: number): TokenView {
  return {
    tokenId: r.tokenId,
    name: r.name,
    role: r.role,
    tenant: r.tenant,
    status: tokenStatus(r, nowMs),
    issuedAt: r.issuedAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    revokeReason: r.revokeReason,
  };
}
