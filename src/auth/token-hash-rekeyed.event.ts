import { DomainEvent } from '../event-store/envelope';
import { HashScheme } from './token-issued.event';

/** A legacy token digest (bare SHA-256) replaced by its keyed digest at start; no secret needed (ADR 0007). */
export interface TokenHashRekeyedData {
  readonly tokenId: string;
  /** HMAC-SHA256(TOKEN_HASH_KEY, the legacy SHA-256). Never served. */
  readonly hash: string;
  readonly hashScheme: HashScheme;
}

export type TokenHashRekeyed = DomainEvent<'TokenHashRekeyed', TokenHashRekeyedData>;
export const TOKEN_HASH_REKEYED = 'TokenHashRekeyed' as const;
