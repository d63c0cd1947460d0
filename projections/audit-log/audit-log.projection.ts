import type { RecordedEvent } from '../../src/event-store/envelope';
import type { OperatorActionData } from '../../src/audit/operator-action-recorded.event';
import type { Projection } from '../projection';
import type { AuditLogRow } from './audit-log.row';

/** Every operator action, one row each, newest-first queries by time/actor/target. */
export const auditLogProjection: Projection<AuditLogRow> = {
  name: 'audit_log',
  version: 2,
  canHandle: ['OperatorActionRecorded'],
  keysOf: (e) => [e.eventId],
  evolve(_row, e: RecordedEvent) {
    const d = e.data as OperatorActionData & { hash?: string };
    const at = new Date(e.metadata.occurredAt ?? e.recordedAt);
    return {
      id: e.eventId,
      at: at.toISOString(),
      atEpochMs: at.getTime(),
      action: d.action,
      target: d.target ?? null,
      actor: d.actor,
      role: d.role,
      tenant: d.tenant ?? null,
      reason: d.reason,
      outcome: d.outcome ?? 'applied',
      requestId: d.requestId,
      clientIp: d.clientIp,
      details: d.details ?? null,
      hash: d.hash ?? null,
      position: e.position.toString(),
    };
  },
};
