import { int } from './env-var';

export const rateLimitEnv = {
  perMinute: int('RATE_LIMIT_PER_MINUTE', 500, 'API requests a minute per token (or per client address without one). 0 turns limiting off.', { min: 0 }),
  windowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, 'Length of one rate-limit window.', { min: 100 }),
  syncMs: int('RATE_LIMIT_SYNC_MS', 1000, 'How often a process adds its counts to the shared PostgreSQL counters and reads the totals back.', { min: 10 }),
} as const;
