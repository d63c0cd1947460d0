import type { SessionRow } from '../../../projections/sessions/session-row';
import { idleExpiresAt } from './session-expiry';

/** A session as the API shows it: never its digest. */
export interface SessionView {
  readonly sessionId: string;
  readonly name: string;
  readonly role: string;
  readonly tenant: string | null;
  readonly status: 'active' | 'ended';
  readonly startedAt: string;
  readonly lastSeenAt: string;
  readonly idleExpiresAt: string | null;
  readonly absoluteExpiresAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly endDetail: string | null;
  readonly clientIp: string;
}

export function sessionView(row: SessionRow, lastSeenAt: Date | null): SessionView {
  const seen = new Date(Math.max(Date.parse(row.startedAt), lastSeenAt?.getTime() ?? 0)).toISOString();
  return {
    sessionId: row.sessionId,
    name: row.name,
    role: row.role,
    tenant: row.tenant,
    status: row.endedAt ? 'ended' : 'active',
    startedAt: row.startedAt,
    lastSeenAt: seen,
    idleExpiresAt: row.endedAt ? null : idleExpiresAt({ row, lastSeenAt }),
    absoluteExpiresAt: row.absoluteExpiresAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
    endDetail: row.endDetail,
    clientIp: row.clientIp,
  };
}
