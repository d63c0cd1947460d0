import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'olt_';

/** 32 random bytes (256 bits), base64url: `olt_` + 43 characters. Shown once, never stored. */
export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a token: the first step of its digest, and all that installations before ADR 0007 stored. */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The stored digest of a token: HMAC-SHA256(TOKEN_HASH_KEY, sha256(token)), hex (docs/adr/0007).
 * Keyed, so a digest seen outside (a database copy, a backup) cannot be checked against guesses
 * without the key, which matters for a user-chosen OPSLEDGER_ADMIN_TOKEN. Over the SHA-256, so a
 * digest stored by an older version (the bare SHA-256) can be re-keyed without the token.
 * A fast hash, not a slow KDF: issued tokens are 256-bit random, and the check runs per request.
 */
export function tokenDigest(key: Buffer, token: string): string {
  return rekeyedDigest(key, sha256Hex(token));
}

/** The digest of a token known only by its legacy SHA-256 hex. */
export function rekeyedDigest(key: Buffer, sha256: string): string {
  return createHmac('sha256', key).update(sha256, 'utf8').digest('hex');
}

/**
 * The one constant-time comparison of secrets (bearer tokens, static secrets, stored digests): both
 * sides are hashed to 32 bytes first, so neither their length nor a common prefix shows in the time.
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
