import type { EventMetadata } from '../event-store/envelope';
import type { Role } from '../access/roles';
import { TOKEN_HASH_REKEYED, TokenHashRekeyedData } from './token-hash-rekeyed.event';
import { HashScheme, TOKEN_ISSUED, TokenIssuedData } from './token-issued.event';
import { TOKEN_REVOKED, TokenRevokedData } from './token-revoked.event';

/**
 * The token aggregate's write model: one token stream folded. It is the only fold of token events:
 * the tokens read model (`rm_tokens`, which the auth guard looks tokens up in) stores this state as
 * its row, so what the guard sees and what the rules decide on cannot disagree.
 */
export type TokenState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'revoked';
      readonly tokenId: string;
      readonly name: string;
      readonly role: Role;
      readonly tenant: string | null;
      readonly hash: string;
      /** null: `hash` is a legacy bare SHA-256 (before ADR 0007). */
      readonly hashScheme: HashScheme | null;
      readonly issuedAt: string;
      readonly expiresAt: string | null;
      /** When the revoke was recorded (its envelope); null while active, or when folded from bare events. */
      readonly revokedAt: string | null;
      readonly revokeReason: string | null;
    };

export const initialTokenState: TokenState = { status: 'none' };

/** A token event as stored (with its envelope) or as just decided (without one). */
export interface TokenFact {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Partial<EventMetadata>;
  readonly recordedAt?: Date | string;
}

const occurredAt = (e: TokenFact): string | null => e.metadata?.occurredAt ?? (e.recordedAt === undefined ? null : new Date(e.recordedAt).toISOString());

/** The state of one token stream after an event; other event types leave it as it is. */
export function evolveToken(state: TokenState, event: TokenFact): TokenState {
  switch (event.type) {
    case TOKEN_ISSUED: {
      const d = event.data as TokenIssuedData;
      return {
        status: 'active',
        tokenId: d.tokenId,
        name: d.name,
        role: d.role,
        tenant: d.tenant,
        hash: d.hash,
        hashScheme: d.hashScheme ?? null,
        issuedAt: d.issuedAt,
        expiresAt: d.expiresAt,
        revokedAt: null,
        revokeReason: null,
      };
    }
    case TOKEN_HASH_REKEYED: {
      const d = event.data as TokenHashRekeyedData;
      return state.status === 'none' ? state : { ...state, hash: d.hash, hashScheme: d.hashScheme };
    }
    case TOKEN_REVOKED: {
      const d = event.data as TokenRevokedData;
      return state.status === 'none' ? state : { ...state, status: 'revoked', revokedAt: occurredAt(event), revokeReason: d.reason };
    }
    default:
      return state;
  }
}
