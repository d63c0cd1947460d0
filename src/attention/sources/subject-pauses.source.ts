import type { AttentionSource } from '../attention-source';
import { iso, oneLine } from '../attention-source';

const WHAT = { job: 'job', 'tenant-jobs': 'the jobs of tenant', 'tenant-targets': 'the targets of tenant' } as const;
const HREF = { job: (s: string) => `/api/jobs/${encodeURIComponent(s)}`, 'tenant-jobs': () => '/api/jobs', 'tenant-targets': () => '/api/targets' } as const;

/**
 * Pauses of one job or of a tenant's jobs or targets that hold now (a single target's pause is the
 * target-pauses source's, from the target itself). Info: deliberate, but nothing of it runs.
 */
export const subjectPausesSource: AttentionSource = {
  name: 'subject-pauses',
  kinds: ['paused'],
  reach: 'tenant',
  items: ({ ops }) =>
    ops.held
      .filter((r) => r.scope !== 'target')
      .map((r) => {
        const scope = r.scope as keyof typeof WHAT;
        return {
          kind: 'paused',
          severity: 'info',
          since: iso(r.pausedAt),
          summary: `${WHAT[scope]} ${r.subject} paused by ${r.pausedBy}${r.resumeAt ? ` until ${iso(r.resumeAt)}` : ''}: ${oneLine(r.reason)}`,
          href: HREF[scope](r.subject),
          tenant: r.tenant,
          subject: `${r.scope}:${r.subject}`,
        };
      }),
};
