import { DomainEvent } from '../event-store/envelope';

export interface TokenRevokedData {
  readonly tokenId: string;
  readonly reason: string;
}

export type TokenRevoked = DomainEvent<'TokenRevoked', TokenRevokedData>;
export const TOKEN_REVOKED = 'TokenRevoked' as const;
