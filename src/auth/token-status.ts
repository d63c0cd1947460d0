/** What a token is now: revoked wins over expired; a token works only while `active`. */
export type TokenStatus = 'active' | 'revoked' | 'expired';

/**
 * The one rule for whether a token works at `now`, used by the auth guard, the ops-health bearer
 * check, the API's token list and the tokens CLI. Expiry is inclusive: at `expiresAt` it has expired.
 */
export function tokenStatus(t: { readonly revokedAt: string | null; readonly expiresAt: string | null }, now: Date | number): TokenStatus {
  if (t.revokedAt) return 'revoked';
  const nowMs = typeof now === 'number' ? now : now.getTime();
  return t.expiresAt && Date.parse(t.expiresAt) <= nowMs ? 'expired' : 'active';
}
