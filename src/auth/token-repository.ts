import { Inject, Injectable } from '@nestjs/common';
import { tokensProjection } from '../../projections/tokens/tokens.projection';
import type { TokenRow } from '../../projections/tokens/token-row';
import { AppendResult, EventMetadata, ExpectedRevision, RecordedEvent } from '../event-store/envelope';
import { PostgresEventStore, Queryable } from '../event-store/postgres/postgres-event-store';
import { sqlOf, UnitOfWork } from '../event-store/unit-of-work';
import { applyEvents } from '../event-store/postgres/apply-events';
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

  /** From the log, or as a unit of work sees it. */
  async load(tokenId: string, uow?: UnitOfWork): Promise<{ state: TokenState; revision: bigint }> {
    const events: RecordedEvent[] = await (uow ?? this.store).readStream(tokenStream(tokenId));
    const state = events.reduce<TokenState>((s, e) => evolveToken(s, e as unknown as TokenEvent), initialTokenState);
    return { state, revision: events.length ? events[events.length - 1].revision : -1n };
  }

  /** In the caller's unit (with its audit entry): the events and the read-model rows. A conflict rolls all of it back. */
  async appendIn(uow: UnitOfWork, tokenId: string, events: readonly TokenEvent[], expected: ExpectedRevision, metadata: Partial<EventMetadata>): Promise<AppendResult> {
    const result = await uow.append(tokenStream(tokenId), events.map((e) => ({ type: e.type, data: e.data, metadata })), expected);
    await applyEvents(sqlOf(uow), tokensProjection, result.events);
    return result;
  }

  async findByHash(hash: string, db: Queryable = this.store.pool): Promise<TokenRow | null> {
    const { rows } = await db.query<{ doc: TokenRow }>('SELECT doc FROM rm_tokens WHERE hash = $1', [hash]);
    return rows[0]?.doc ?? null;
  }

  /** Every token, oldest first (a handful to a few thousand rows). */
  async list(db: Queryable = this.store.pool): Promise<TokenRow[]> {
    const { rows } = await db.query<{ doc: TokenRow }>('SELECT doc FROM rm_tokens ORDER BY issued_at, key');
    return rows.map((r) => r.doc);
  }

  /** Tokens whose stored digest is still a bare SHA-256 (issued before ADR 0007), revoked ones too. */
  async legacyHashed(db: Queryable = this.store.pool): Promise<TokenRow[]> {
    const { rows } = await db.query<{ doc: TokenRow }>(`SELECT doc FROM rm_tokens WHERE doc->>'hashScheme' IS NULL ORDER BY issued_at, key`);
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
