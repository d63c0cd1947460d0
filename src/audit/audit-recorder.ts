import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { PG_POOL } from '../database/database.module';
import { inTransaction } from '../database/transaction';
import { EventMetadata } from '../event-store/envelope';
import { PostgresEventStore, Queryable } from '../event-store/postgres/postgres-event-store';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { keyId } from '../secrets/key-fingerprints';
import { SERVER_KEYS, ServerKeys } from '../secrets/server-keys';
import { CHAIN_VERSION, chainMac, legacySeal, LOCK_HEAD_SQL, LockedHead } from './audit-chain';
import { auditStream, OperatorActionData } from './operator-action-recorded.event';
import { OperatorContext } from './operator-context';

export type AuditMetadata = Partial<EventMetadata> & { causationId: string; correlationId: string };

/**
 * Records an operator action before its effects, and returns the metadata those effects carry
 * (causationId = the audit event, correlationId = the request), so "who did this and why" is
 * one hop from any event. Each action is a link of one hash chain across all processes: the
 * chain head row is locked for the append, so links are strictly ordered. A link is an HMAC
 * (AUDIT_CHAIN_KEY) over the whole event, data and metadata (audit-chain.ts, docs/adr/0007).
 */
@Injectable()
export class AuditRecorder {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(SERVER_KEYS) private readonly keys: Pick<ServerKeys, 'auditChain'>,
  ) {}

  async record(ctx: OperatorContext, action: string, target: string | null, reason: string, details?: Record<string, unknown>): Promise<AuditMetadata> {
    return inTransaction(this.pool, (client) => this.recordWith(client, ctx, action, target, reason, details));
  }

  /** Inside a caller's transaction: the action and its effects then commit or fail together. */
  async recordWith(db: Queryable, ctx: OperatorContext, action: string, target: string | null, reason: string, details?: Record<string, unknown>): Promise<AuditMetadata> {
    const eventId = randomUUID();
    const now = this.clock.now();
    const streamId = auditStream(now);
    const occurredAt = now.toISOString();
    const { rows } = await db.query<LockedHead>(LOCK_HEAD_SQL);
    const prevHash = rows[0].last_hash;
    const data: OperatorActionData & { prevHash: string; chain: number; keyId: string; hash?: string } = {
      action,
      target,
      reason,
      actor: ctx.actor,
      role: ctx.role,
      tenant: ctx.tenant,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      ...(details ? { details } : {}),
      prevHash,
      chain: CHAIN_VERSION,
      keyId: keyId(this.keys.auditChain),
      ...(await legacySeal(db, rows[0])),
    };
    const metadata = { occurredAt, correlationId: ctx.requestId, actor: ctx.actor, ...(ctx.tenant ? { tenant: ctx.tenant } : {}) };
    const hash = chainMac(this.keys.auditChain, prevHash, { eventId, streamId, type: 'OperatorActionRecorded', data: data as unknown as Record<string, unknown>, metadata });
    await this.store.appendWith(db, streamId, [{ type: 'OperatorActionRecorded', eventId, data: { ...data, hash }, metadata }], 'any');
    await db.query('UPDATE audit_chain_head SET last_event_id = $1, last_hash = $2, length = length + 1 WHERE id = 1', [eventId, hash]);
    this.log.info({ event: `audit.${action}`, actor: ctx.actor, role: ctx.role, tenant: ctx.tenant, target, reason, requestId: ctx.requestId, auditEventId: eventId }, `${ctx.actor} ${action} ${target ?? ''}`.trim());
    return { causationId: eventId, correlationId: ctx.requestId, actor: ctx.actor, ...(ctx.tenant ? { tenant: ctx.tenant } : {}) };
  }
}
