import { DomainEvent } from '../event-store/envelope';
import { Role } from '../access/roles';

/**
 * What an attempt turned out to be: `applied` (its effects are in the log with causationId = this
 * entry) or `duplicate` (an idempotent replay: no new effect; details name the original). A
 * rejected attempt is never an entry, only a log line. Entries older than the field are `applied`.
 */
export type AuditOutcome = 'applied' | 'duplicate';

export interface OperatorActionData {
  /** e.g. `job.run`, `target.redrive`, `token.issue` — also the log family `audit.<action>`. */
  readonly action: string;
  /** What it acted on: `target:instance::eu-1`, `job:nightly`, `run:<id>`, `token:<name>`. */
  readonly target: string | null;
  readonly reason: string;
  readonly outcome?: AuditOutcome;
  readonly actor: string;
  readonly role: Role;
  readonly tenant: string | null;
  readonly requestId: string;
  readonly clientIp: string;
  readonly details?: Record<string, unknown>;
}

export type OperatorActionRecorded = DomainEvent<'OperatorActionRecorded', OperatorActionData>;
export const auditStream = (at: Date) => `audit-${at.toISOString().slice(0, 10)}`;
