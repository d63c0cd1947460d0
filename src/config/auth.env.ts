import { int } from './env-var';

/** Bearer-token authentication. */
export const authEnv = {
  cacheMs: int('AUTH_CACHE_MS', 1000, 'How long a process may reuse a token lookup; a revoke in another process takes effect within this time (0 = query every request).', { min: 0, max: 60_000 }),
} as const;
