import { int } from './env-var';

/** The live read cache of the health and /api/system bodies (src/http/live-read-cache.ts, ADR 0016). */
export const readCacheEnv = {
  intervalMs: int(
    'READ_CACHE_INTERVAL_MS',
    1000,
    'Live health and /api/system bodies are served from memory and check the read models’ positions at most this often, so a burst of events rebuilds a body at most once per interval (0 = no live cache: every request builds its body).',
    { min: 0 },
  ),
  maxAgeMs: int(
    'READ_CACHE_MAX_AGE_MS',
    5000,
    'A cached live body is rebuilt after this long even when no read model moved: its time-dependent fields (staleness, ages, loop heartbeats) and tables outside the log.',
    { min: 0 },
  ),
  maxBytes: int(
    'READ_CACHE_MAX_BYTES',
    64 * 2 ** 20,
    'Memory bound of the cached live bodies, all endpoints and tenant scopes together (least recently used first out).',
    {
      min: 0,
    },
  ),
} as const;
