import { humanDuration, PILING_UP_AT } from '../../jobs/views/inventory.view';
import type { AttentionSource } from '../attention-source';
import { ago, iso } from '../attention-source';

const jobHref = (name: string) => `/api/jobs/${encodeURIComponent(name)}`;

/**
 * The job inventory's SLA signals (its own `jobSla`, not a second reckoning): a run going on past
 * the job's target duration, more than PILING_UP_AT runs waiting. Warnings.
 */
export const jobSlaSource: AttentionSource = {
  name: 'job-sla',
  kinds: ['job_running_long', 'job_piling_up'],
  reach: 'tenant',
  items: ({ jobs, now }) =>
    jobs.flatMap((j) => [
      ...(j.sla.runningBeyondTarget
        ? [
            {
              kind: 'job_running_long',
              severity: 'warning' as const,
              // When the oldest active run crossed the target duration.
              since: iso(Date.parse(j.oldestRunningSince!) + j.sla.targetDurationMs!),
              summary: `job ${j.name}: a run has been running ${ago(j.sla.longestRunningMs!)}, beyond its ${humanDuration(j.sla.targetDurationMs!)} target`,
              href: jobHref(j.name),
              tenant: j.tenant,
              subject: j.name,
            },
          ]
        : []),
      ...(j.sla.pilingUp
        ? [
            {
              kind: 'job_piling_up',
              severity: 'warning' as const,
              // The oldest waiting run has been ready since then: the pile began no later.
              since: iso(j.oldestReadyAt ?? now),
              summary: `job ${j.name}: ${j.pending} runs waiting (more than ${PILING_UP_AT})`,
              href: jobHref(j.name),
              tenant: j.tenant,
              subject: j.name,
            },
          ]
        : []),
    ]),
};
