import type { TokenHashRekeyed } from './token-hash-rekeyed.event';
import type { TokenIssued } from './token-issued.event';
import type { TokenRevoked } from './token-revoked.event';

export type TokenEvent = TokenIssued | TokenRevoked | TokenHashRekeyed;

/** Every token event type, and the fields of each that never leave the service (digests). */
export const TOKEN_EVENT_SECRET_FIELDS: Readonly<Record<TokenEvent['type'], readonly string[]>> = {
  TokenIssued: ['hash'],
  TokenRevoked: [],
  TokenHashRekeyed: ['hash'],
};

/** One stream per token: its whole life (issued, revoked) is ordered by the stream revision. */
export const tokenStream = (tokenId: string) => `token-${tokenId}`;

/** Ids we generate (uuid) or derive for the bootstrap token; also what `:id` in the API accepts. */
export const TOKEN_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
