import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { tokensProjection } from '../../projections/tokens/tokens.projection';
import type { TokenRow } from '../../projections/tokens/token-row';
import { PG_POOL } from '../database/database.module';
import { AppendResult, EventMetadata, ExpectedRevision, RecordedEvent } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import type { SqlSession, UnitOfWork } from '../event-store/unit-of-work';
import { evolveToken, initialTokenState, TokenState } from './token.state';
import { TokenEvent, tokenStream } from './token.events';

/**
 * Token streams and the `rm_tokens` read model. The tokens projection is inline: the store
 * applies it (and the caller's unit records the audit action) in the append's transaction, so a
 * token authenticates as soon as `issue` returns, and a revoke is visible to the next lookup.
 * Used by the command handlers, the start-up bootstrap and the CLI alike.
 */
@Injectable()
export class TokenRepository {
  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(PG_POOL) readonly pool: Pool,
  ) {
    store.registerInline(tokensProjection);
  }

  /** From the log, or as a unit of work sees it. */
  async load(tokenId: string, uow?: UnitOfWork): Promise<{ state: TokenState; revision: bigint }> {
    const events: RecordedEvent[] = await (uow ?? this.store).readStream(tokenStream(tokenId));
    const state = events.reduce<TokenState>((s, e) => evolveToken(s, e as unknown as TokenEvent), initialTokenState);
    return { state, revision: events.length ? events[events.length - 1].revision : -1n };
  }

  /** In the caller's unit (with its audit entry): the events and the read-model rows. A conflict rolls all of it back. */
  appendIn(
    uow: UnitOfWork,
    tokenId: string,
    events: readonly TokenEvent[],
    expected: ExpectedRevision,
    metadata: Partial<EventMetadata>,
  ): Promise<AppendResult> {
    return uow.append(
      tokenStream(tokenId),
      events.map((e) => ({ type: e.type, data: e.data, metadata })),
      expected,
    );
  }

  async findByHash(hash: string, db: SqlSession = this.pool): Promise<TokenRow | null> {
    const { rows } = await db.query<{ doc: TokenRow }>('SELECT doc FROM rm_tokens WHERE hash = $1', [hash]);
    return rows[0]?.doc ?? null;
  }

  /** Every token, oldest first (a handful to a few thousand rows). */
  async list(db: SqlSession = this.pool): Promise<TokenRow[]> {
    const { rows } = await db.query<{ doc: TokenRow }>('SELECT doc FROM rm_tokens ORDER BY issued_at, key');
    return rows.map((r) => r.doc);
  }

  /** Tokens whose stored digest is still a bare SHA-256 (issued before ADR 0007), revoked ones too. */
  async legacyHashed(db: SqlSession = this.pool): Promise<TokenRow[]> {
    const { rows } = await db.query<{ doc: TokenRow }>(`SELECT doc FROM rm_tokens WHERE doc->>'hashScheme' IS NULL ORDER BY issued_at, key`);
    return rows.map((r) => r.doc);
  }

  async activeWithIdPrefix(prefix: string): Promise<TokenRow[]> {
    const { rows } = await this.pool.query<{ doc: TokenRow }>(
      `SELECT doc FROM rm_tokens WHERE starts_with(key, $1) AND doc->>'revokedAt' IS NULL ORDER BY issued_at, key`,
      [prefix],
    );
    return rows.map((r) => r.doc);
  }
}
