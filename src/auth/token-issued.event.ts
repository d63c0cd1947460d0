import { DomainEvent } from '../event-store/envelope';
import { Role } from '../access/roles';

/** The digest scheme of tokens issued since ADR 0007; a TokenIssued without it holds a bare SHA-256. */
export const HASH_SCHEME = 'hmac-sha256' as const;
export type HashScheme = typeof HASH_SCHEME;

export interface TokenIssuedData {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  /** When set, the token sees only this tenant's data. */
  readonly tenant: string | null;
  /** Digest (hex) of the bearer token, see token-secret.ts; the token itself is never stored. Never served. */
  readonly hash: string;
  /** Absent on tokens issued before ADR 0007: `hash` is then a bare SHA-256 until re-keyed. */
  readonly hashScheme?: HashScheme;
  readonly issuedAt: string; // RFC 3339 UTC
  readonly expiresAt: string | null; // RFC 3339 UTC
}

export type TokenIssued = DomainEvent<'TokenIssued', TokenIssuedData>;
export const TOKEN_ISSUED = 'TokenIssued' as const;
