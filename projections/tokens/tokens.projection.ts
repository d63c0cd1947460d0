import type { RecordedEvent } from '../../src/event-store/envelope';
import type { TokenHashRekeyedData } from '../../src/auth/token-hash-rekeyed.event';
import type { TokenIssuedData } from '../../src/auth/token-issued.event';
import type { TokenRevokedData } from '../../src/auth/token-revoked.event';
import type { Projection } from '../projection';
import type { TokenRow } from './token-row';

/**
 * Tokens for lookup, one row per token. Keyed by token id (= its stream), so every row is changed
 * by exactly one stream as inline projections require, and a revoke (which carries only the id)
 * finds its row; the guard looks rows up by the unique `hash` column the migration derives from
 * the document. Inline: a token works the moment its issue commits.
 *
 * Still version 1 with TokenHashRekeyed and `hashScheme`: a log written before either folds into
 * exactly the rows version 1 stored (no `hashScheme` field), so nothing needs rebuilding.
 */
export const tokensProjection: Projection<TokenRow> = {
  name: 'tokens',
  version: 1,
  inline: true,
  canHandle: ['TokenIssued', 'TokenRevoked', 'TokenHashRekeyed'],
  keysOf: (e) => [(e.data as { tokenId: string }).tokenId],
  evolve(row: TokenRow | null, e: RecordedEvent): TokenRow | null {
    if (e.type === 'TokenIssued') {
      const d = e.data as TokenIssuedData;
      return { tokenId: d.tokenId, name: d.name, role: d.role, tenant: d.tenant, hash: d.hash, ...(d.hashScheme ? { hashScheme: d.hashScheme } : {}), issuedAt: d.issuedAt, expiresAt: d.expiresAt, revokedAt: null, revokeReason: null };
    }
    if (e.type === 'TokenHashRekeyed' && row) {
      const d = e.data as TokenHashRekeyedData;
      return { ...row, hash: d.hash, hashScheme: d.hashScheme };
    }
    if (e.type === 'TokenRevoked' && row) {
      const d = e.data as TokenRevokedData;
      return { ...row, revokedAt: e.metadata.occurredAt ?? e.recordedAt.toISOString(), revokeReason: d.reason };
    }
    return row;
  },
};
