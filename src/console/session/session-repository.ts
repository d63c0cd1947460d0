import { Inject, Injectable } from '@nestjs/common';
import { sessionsProjection } from '../../../projections/sessions/sessions.projection';
import type { SessionRow } from '../../../projections/sessions/session-row';
import type { TokenRow } from '../../../projections/tokens/token-row';
import { Pool } from 'pg';
import { PG_POOL } from '../../database/database.module';
import { EventMetadata, ExpectedRevision, RecordedEvent } from '../../event-store/envelope';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import { fold } from '../../shared/decider';
import { sessionDecider, SessionState } from './session.decider';
import { SessionEvent, sessionStream } from './session.events';

/** A session as the guard sees it: its row, its last request (any process) and its token's row. */
export interface SessionLookup {
  readonly row: SessionRow;
  readonly lastSeenAt: Date | null;
  readonly token: TokenRow | null;
}

const LOOKUP_SQL = `
  SELECT s.doc, a.last_seen_at, t.doc AS token
    FROM rm_sessions s
    LEFT JOIN session_activity a ON a.session_id = s.key
    LEFT JOIN rm_tokens t ON t.key = s.doc->>'tokenId'`;

/**
 * Session streams, the `rm_sessions` read model (inline: the store applies it in the append's
 * transaction, as it does tokens) and the activity rows the idle expiry reads.
 */
@Injectable()
export class SessionRepository {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    store.registerInline(sessionsProjection);
  }

  async load(sessionId: string, uow?: UnitOfWork): Promise<{ state: SessionState; revision: bigint }> {
    const events: RecordedEvent[] = await (uow ?? this.store).readStream(sessionStream(sessionId));
    const state = fold(sessionDecider, events as unknown as SessionEvent[]);
    return { state, revision: events.length ? events[events.length - 1].revision : -1n };
  }

  async appendIn(
    uow: UnitOfWork,
    sessionId: string,
    events: readonly SessionEvent[],
    expected: ExpectedRevision,
    metadata: Partial<EventMetadata>,
  ): Promise<void> {
    await uow.append(
      sessionStream(sessionId),
      events.map((e) => ({ type: e.type, data: e.data, metadata })),
      expected,
    );
  }

  /** Appends in a unit of its own (sign-in, sign-out, expiry: not operator actions). */
  async append(sessionId: string, events: readonly SessionEvent[], expected: ExpectedRevision, metadata: Partial<EventMetadata>): Promise<void> {
    await this.store.transact((uow) => this.appendIn(uow, sessionId, events, expected, metadata));
  }

  async byHash(hash: string): Promise<SessionLookup | null> {
    const { rows } = await this.pool.query<{ doc: SessionRow; last_seen_at: Date | null; token: TokenRow | null }>(`${LOOKUP_SQL} WHERE s.hash = $1`, [hash]);
    return rows[0] ? { row: rows[0].doc, lastSeenAt: rows[0].last_seen_at, token: rows[0].token } : null;
  }

  async byId(sessionId: string): Promise<SessionLookup | null> {
    const { rows } = await this.pool.query<{ doc: SessionRow; last_seen_at: Date | null; token: TokenRow | null }>(`${LOOKUP_SQL} WHERE s.key = $1`, [
      sessionId,
    ]);
    return rows[0] ? { row: rows[0].doc, lastSeenAt: rows[0].last_seen_at, token: rows[0].token } : null;
  }

  /** Sessions not ended yet, with activity and token (the sweeper's candidates). */
  async active(): Promise<SessionLookup[]> {
    const { rows } = await this.pool.query<{ doc: SessionRow; last_seen_at: Date | null; token: TokenRow | null }>(
      `${LOOKUP_SQL} WHERE s.active ORDER BY s.started_at, s.key`,
    );
    return rows.map((r) => ({ row: r.doc, lastSeenAt: r.last_seen_at, token: r.token }));
  }

  /** Newest first: the active ones, or (all) every session up to `limit`. */
  async list(all: boolean, limit: number): Promise<Array<{ row: SessionRow; lastSeenAt: Date | null }>> {
    const { rows } = await this.pool.query<{ doc: SessionRow; last_seen_at: Date | null }>(
      `SELECT s.doc, a.last_seen_at FROM rm_sessions s LEFT JOIN session_activity a ON a.session_id = s.key
        WHERE $1::boolean OR s.active ORDER BY s.started_at DESC, s.key LIMIT $2`,
      [all, limit],
    );
    return rows.map((r) => ({ row: r.doc, lastSeenAt: r.last_seen_at }));
  }

  /** One session as a unit of work sees it (inside an operator action, never through the pool). */
  async rowIn(uow: UnitOfWork, sessionId: string): Promise<{ row: SessionRow; lastSeenAt: Date | null } | null> {
    const { rows } = await sqlOf(uow).query<{ doc: SessionRow; last_seen_at: Date | null }>(
      'SELECT s.doc, a.last_seen_at FROM rm_sessions s LEFT JOIN session_activity a ON a.session_id = s.key WHERE s.key = $1',
      [sessionId],
    );
    return rows[0] ? { row: rows[0].doc, lastSeenAt: rows[0].last_seen_at } : null;
  }

  async touch(sessionId: string, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO session_activity (session_id, last_seen_at) VALUES ($1, $2)
       ON CONFLICT (session_id) DO UPDATE SET last_seen_at = GREATEST(session_activity.last_seen_at, EXCLUDED.last_seen_at)`,
      [sessionId, at],
    );
  }
}
