import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'olt_';

/** 32 random bytes (256 bits), base64url: `olt_` + 43 characters. Shown once, never stored. */
export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 (hex) of a token. A plain fast hash is right here, not bcrypt/scrypt: a slow KDF only
 * protects low-entropy secrets (passwords) against guessing, and a 256-bit random token cannot be
 * guessed, so a leaked hash is useless; a fast hash also keeps per-request checks cheap and lets
 * the hash be an indexed lookup key.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes (equal length by construction). */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Constant-time comparison of two secrets of any length (compared as SHA-256 digests). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
