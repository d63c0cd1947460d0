/** The documented example response (OpenAPI example and docs/api.md's). */
export const SCHEDULER_HEALTH_EXAMPLE = {
  updatedAt: '2025-10-20T13:05:42Z',
  enabled: true,
  queue: { depth: 7, dueWithinSeconds: 2, perType: { pve: 4, pbs: 2, pmg: 1 } },
  deadLetter: { count: 1, tasks: [{ instance: 'pbs-b', type: 'pbs', nextRun: '2025-10-20T13:30:00Z', lastError: '401 unauthorized', failures: 5 }] },
  breakers: [{ instance: 'pve-a', type: 'pve', state: 'half_open', failures: 3, retryAt: '2025-10-20T13:06:15Z' }],
  staleness: [{ instance: 'pve-a', type: 'pve', score: 0.42, lastSuccess: '2025-10-20T13:05:10Z', lastError: '2025-10-20T13:05:40Z' }],
  instances: [
    {
      key: 'pve::pve-a',
      type: 'pve',
      displayName: 'Pulse PVE Cluster',
      instance: 'pve-a',
      connection: 'https://pve-a:8006',
      pollStatus: {
        lastSuccess: '2025-10-20T13:05:10Z',
        lastError: { at: '2025-10-20T13:05:40Z', message: 'connection timeout', category: 'transient' },
        consecutiveFailures: 2,
        firstFailureAt: '2025-10-20T13:05:20Z',
      },
      breaker: { state: 'half_open', since: '2025-10-20T13:05:40Z', lastTransition: '2025-10-20T13:05:40Z', retryAt: '2025-10-20T13:06:15Z', failureCount: 3 },
      deadLetter: { present: false },
    },
    {
      key: 'pbs::pbs-b',
      type: 'pbs',
      displayName: 'Backup PBS',
      instance: 'pbs-b',
      connection: 'https://pbs-b:8007',
      pollStatus: {
        lastSuccess: '2025-10-20T12:55:00Z',
        lastError: { at: '2025-10-20T13:00:01Z', message: '401 unauthorized', category: 'permanent' },
        consecutiveFailures: 5,
        firstFailureAt: '2025-10-20T12:58:30Z',
      },
      breaker: { state: 'open', since: '2025-10-20T13:00:01Z', lastTransition: '2025-10-20T13:00:01Z', retryAt: '2025-10-20T13:02:01Z', failureCount: 5 },
      deadLetter: {
        present: true,
        reason: 'max_retry_attempts',
        firstAttempt: '2025-10-20T12:58:30Z',
        lastAttempt: '2025-10-20T13:00:01Z',
        retryCount: 5,
        nextRetry: '2025-10-20T13:30:00Z',
      },
    },
  ],
};
