import type { AttentionSource } from '../attention-source';
import { iso, oneLine } from '../attention-source';

/**
 * Runs that failed for good and were not resolved by a later success of the same job and tenant
 * (a retry or any later run), over the last 30 days: one item per job and tenant. Warning. The
 * drill-in is the latest failed run.
 */
export const failedRunsSource: AttentionSource = {
  name: 'failed-runs',
  kinds: ['failed_run'],
  reach: 'tenant',
  items: ({ failedRuns }) =>
    failedRuns.map((g) => ({
      kind: 'failed_run',
      severity: 'warning',
      since: iso(g.firstFailedAt),
      summary: `job ${g.job}${g.tenant ? ` (tenant ${g.tenant})` : ''}: ${g.failures === 1 ? '1 failed run' : `${g.failures} failed runs`} since its last success${g.lastError ? `; latest: ${oneLine(g.lastError, 100)}` : ''}`,
      href: `/api/runs/${g.lastRunId}`,
      tenant: g.tenant,
      subject: g.job,
    })),
};
