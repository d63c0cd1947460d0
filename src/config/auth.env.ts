import { int, str } from './env-var';

/** Bearer-token authentication. */
export const authEnv = {
  cacheMs: int('AUTH_CACHE_MS', 1000, 'How long a process may reuse a token lookup; a revoke in another process takes effect within this time (0 = query every request).', { min: 0, max: 60_000 }),
  metricsToken: str('METRICS_TOKEN', undefined, 'A static secret Prometheus may send as its bearer token for GET /metrics only (any issued token works too).'),
} as const;
