import { int, str } from './env-var';

/** Bearer-token authentication. */
export const authEnv = {
  cacheMs: int(
    'AUTH_CACHE_MS',
    1000,
    'How long a process may reuse a token lookup; a revoke in another process takes effect within this time (0 = query every request).',
    { min: 0, max: 60_000 },
  ),
  metricsToken: str('METRICS_TOKEN', undefined, 'A static secret Prometheus may send as its bearer token for GET /metrics only (any issued token works too).'),
  failureLimit: int(
    'AUTH_FAILURE_LIMIT',
    20,
    'Failed authentications (bad, revoked or expired tokens) a client address may make per AUTH_FAILURE_WINDOW_MS before every request from it answers 429 until the window ends (0 = no limit).',
    { min: 0 },
  ),
  failureWindowMs: int('AUTH_FAILURE_WINDOW_MS', 300_000, 'Window of AUTH_FAILURE_LIMIT, aligned to the clock.', { min: 1000, max: 86_400_000 }),
} as const;
