import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EventMetadata } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { auditStream, OperatorActionRecorded } from './operator-action-recorded.event';
import { OperatorContext } from './operator-context';

/**
 * Records an operator action before its effects, and returns the metadata those effects carry
 * (causationId = the audit event, correlationId = the request), so "who did this and why" is
 * one hop from any event.
 */
@Injectable()
export class AuditRecorder {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async record(ctx: OperatorContext, action: string, target: string | null, reason: string, details?: Record<string, unknown>): Promise<Partial<EventMetadata> & { causationId: string; correlationId: string }> {
    const eventId = randomUUID();
    const now = this.clock.now();
    const event: OperatorActionRecorded = {
      type: 'OperatorActionRecorded',
      data: { action, target, reason, actor: ctx.actor, role: ctx.role, tenant: ctx.tenant, requestId: ctx.requestId, clientIp: ctx.clientIp, ...(details ? { details } : {}) },
    };
    await this.store.append(auditStream(now), [{ ...event, eventId, metadata: { occurredAt: now.toISOString(), correlationId: ctx.requestId, actor: ctx.actor, tenant: ctx.tenant ?? undefined } }], 'any');
    this.log.info({ event: `audit.${action}`, actor: ctx.actor, role: ctx.role, tenant: ctx.tenant, target, reason, requestId: ctx.requestId, auditEventId: eventId }, `${ctx.actor} ${action} ${target ?? ''}`.trim());
    return { causationId: eventId, correlationId: ctx.requestId, actor: ctx.actor, ...(ctx.tenant ? { tenant: ctx.tenant } : {}) };
  }
}
