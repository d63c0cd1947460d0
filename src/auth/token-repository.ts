import { inTransaction } from '../database/transaction';
import { Inject, Injectable } from '@nestjs/common';
import { tokensProjection } from '../../projections/tokens/tokens.projection';
import type { TokenRow } from '../../projections/tokens/token-row';
import { AppendResult, EventMetadata, ExpectedRevision } from '../event-store/envelope';
import { PostgresEventStore, Queryable } from '../event-store/postgres/postgres-event-store';
import { applyEvents } from '../projection-runner/apply-events';
import { evolveToken, initialTokenState, TokenState } from './token.decider';
import { TokenEvent, tokenStream } from './token-stream';

/**
 * Token streams and the `rm_tokens` read model. Appends apply the tokens projection (and record
 * the audit action) in the same transaction, so a token authenticates as soon as `issue` returns, and a revoke is visible to
 * the next lookup. Used by the command handlers, the start-up bootstrap and the CLI alike.
 */
@Injectable()
export class TokenRepository {
  constructor(@Inject(PostgresEventStore) readonly store: PostgresEventStore) {}

  async load(tokenId: string): Promise<{ state: TokenState; revision: bigint }> {
    const events = await this.store.readStream(tokenStream(tokenId));
    const state = events.reduce<TokenState>((s, e) => evolveToken(s, e as unknown as TokenEvent), initialTokenState);
    return { state, revision: events.length ? events[events.length - 1].revision : -1n };
  }

  /**
   * One transaction: `metadataFor` runs first inside it (the handlers record the audit action
   * there), then the events and the read-model rows. A conflict rolls all of it back.
   */
  async append(tokenId: string, events: readonly TokenEvent[], expected: ExpectedRevision, metadataFor: (db: Queryable) => Promise<Partial<EventMetadata>>): Promise<AppendResult> {
    return inTransaction(this.store.pool, async (client) => {
      const metadata = await metadataFor(client);
      const result = await this.store.appendWith(client, tokenStream(tokenId), events.map((e) => ({ type: e.type, data: e.data, metadata })), expected);
      await applyEvents(client, tokensProjection, result.events);
      return result;
    });
  }

  async findByHash(hash: string, db: Queryable = this.store.pool): Promise<TokenRow | null> {
    const { rows } = await db.query<{ doc: TokenRow }>('SELECT doc FROM rm_tokens WHERE hash = $1', [hash]);
    return rows[0]?.doc ?? null;
  }

  /** Every token, oldest first (a handful to a few thousand rows). */
  async list(): Promise<TokenRow[]> {
    const { rows } = await this.store.pool.query<{ doc: TokenRow }>('SELECT doc FROM rm_tokens ORDER BY issued_at, key');
    return rows.map((r) => r.doc);
  }

  /** Tokens whose stored digest is still a bare SHA-256 (issued before ADR 0007), revoked ones too. */
  async legacyHashed(): Promise<TokenRow[]> {
    const { rows } = await this.store.pool.query<{ doc: TokenRow }>(`SELECT doc FROM rm_tokens WHERE doc->>'hashScheme' IS NULL ORDER BY issued_at, key`);
    return rows.map((r) => r.doc);
  }

  async activeWithIdPrefix(prefix: string): Promise<TokenRow[]> {
    const { rows } = await this.store.pool.query<{ doc: TokenRow }>(
      `SELECT doc FROM rm_tokens WHERE starts_with(key, $1) AND doc->>'revokedAt' IS NULL ORDER BY issued_at, key`,
      [prefix],
    );
    return rows.map((r) => r.doc);
  }
}
