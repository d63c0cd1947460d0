import { DomainEvent } from '../event-store/envelope';
import { Role } from '../auth/roles';

export interface OperatorActionData {
  /** e.g. `job.run`, `target.redrive`, `token.issue` — also the log family `audit.<action>`. */
  readonly action: string;
  /** What it acted on: `target:instance::eu-1`, `job:nightly`, `run:<id>`, `token:<name>`. */
  readonly target: string | null;
  readonly reason: string;
  readonly actor: string;
  readonly role: Role;
  readonly tenant: string | null;
  readonly requestId: string;
  readonly clientIp: string;
  readonly details?: Record<string, unknown>;
}

export type OperatorActionRecorded = DomainEvent<'OperatorActionRecorded', OperatorActionData>;
export const auditStream = (at: Date) => `audit-${at.toISOString().slice(0, 10)}`;
