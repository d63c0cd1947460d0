import { DomainEvent } from '../event-store/envelope';
import { Role } from './roles';

export interface TokenIssuedData {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  /** When set, the token sees only this tenant's data. */
  readonly tenant: string | null;
  /** SHA-256 (hex) of the bearer token; the token itself is never stored. */
  readonly hash: string;
  readonly issuedAt: string; // RFC 3339 UTC
  readonly expiresAt: string | null; // RFC 3339 UTC
}

export type TokenIssued = DomainEvent<'TokenIssued', TokenIssuedData>;
export const TOKEN_ISSUED = 'TokenIssued' as const;
