/** One operator action as the audit endpoint lists it. */
export interface AuditLogRow {
  readonly id: string; // the audit event id
  readonly at: string; // RFC 3339
  readonly atEpochMs: number;
  readonly action: string;
  readonly target: string | null;
  readonly actor: string;
  readonly role: string;
  readonly tenant: string | null;
  readonly reason: string;
  /** applied | duplicate (an idempotent replay); entries recorded before the field are applied. */
  readonly outcome: 'applied' | 'duplicate';
  readonly requestId: string;
  readonly clientIp: string;
  readonly details: Record<string, unknown> | null;
  readonly hash: string | null;
  readonly position: string;
}
