/** How urgent an item is, most urgent first (the ranking's first key). */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One thing that needs an operator: GET /api/attention lists these, most urgent first. */
export interface AttentionItem {
  /** What kind of problem (one of the sources' kinds: `breaker`, `failed_run`, …). */
  readonly kind: string;
  readonly severity: Severity;
  /** When it started (RFC 3339): the ranking's second key, oldest first. */
  readonly since: string;
  /** One line an operator reads in a list. */
  readonly summary: string;
  /** The API path of its drill-in. */
  readonly href: string;
  /** The tenant of its subject; null for installation-wide items and subjects without a tenant. */
  readonly tenant: string | null;
  /** What it is about (a target key, a job, a loop, an alert rule, a webhook subscription): with kind and tenant, its identity. */
  readonly subject: string;
}

/**
 * Who may see a source's items:
 * - `tenant`: the subject's tenant (and unscoped callers);
 * - `shared`: everybody (installation-wide machinery whose state names no tenant's data: the loops);
 * - `installation`: unscoped callers only (what spans tenants: the alerts, whose summaries name jobs).
 */
export type AttentionReach = 'tenant' | 'shared' | 'installation';
