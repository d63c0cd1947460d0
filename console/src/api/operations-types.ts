/** The shapes of the attention list and the failure groups (docs/api.md "Attention", "Finding failures"). */

export type Severity = 'critical' | 'warning' | 'info';

export interface AttentionItem {
  kind: string;
  severity: Severity;
  since: string;
  summary: string;
  /** The API path of its drill-in. */
  href: string;
  tenant: string | null;
  subject: string;
}

export interface AttentionList {
  checkedAt: string;
  total: number;
  counts: Record<string, number>;
  items: AttentionItem[];
}

export interface Affected {
  total: number;
  /** name null: runs or polls of no tenant (in `tenants`). */
  top: { name: string | null; count: number }[];
}

export interface FailureGroup {
  signature: string;
  pattern: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  jobs?: Affected;
  targets?: Affected;
  tenants: Affected;
  example: { error: string; at: string; runId?: string; job?: string; target?: string; tenant: string | null; exitCode?: number | null };
  /** source=runs: the API path of the runs it counts. */
  runs?: string;
}

export interface FailureGroups {
  source: 'runs' | 'polls';
  from: string;
  to: string;
  groups: FailureGroup[];
}

export interface BulkRetryAnswer {
  signature: string;
  dryRun: boolean;
  count: number;
  cap?: number;
  wouldRetry?: { runId: string; job: string; tenant: string | null; failedAt: string }[];
  retried?: { runId: string; job: string; tenant: string | null; newRunId: string }[];
  notRetried: { runId: string; job: string; reason: string }[];
}
