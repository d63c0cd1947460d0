import type { RecordedEvent } from '../../src/event-store/envelope';
import { evolveToken } from '../../src/auth/token.state';
import type { Projection } from '../projection';
import { TokenRow, tokenRow, tokenStateOf } from './token-row';

/**
 * Tokens for lookup, one row per token. Keyed by token id (= its stream), so every row is changed
 * by exactly one stream as inline projections require, and a revoke (which carries only the id)
 * finds its row; the guard looks rows up by the unique `hash` column the migration derives from
 * the document. Inline: a token works the moment its issue commits.
 *
 * The row is the token aggregate's state (src/auth/token.state.ts), folded by the aggregate's own
 * evolve: one fold of token events, so the guard and the rules cannot disagree about a token.
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
  evolve: (row: TokenRow | null, e: RecordedEvent) => tokenRow(evolveToken(tokenStateOf(row), e)),
};
