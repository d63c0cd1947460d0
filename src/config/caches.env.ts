import { ConfigError, EnvVar, int } from './env-var';

/** One named Redis cache an operator may purge. */
export interface CacheConfig {
  readonly name: string;
  readonly url: string;
}

export const CACHE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** `name=redis://host:port/db,name=rediss://…`: names unique, each URL a redis:// or rediss:// URL. */
export function parseCaches(variable: string, raw: string | undefined): CacheConfig[] {
  if (raw === undefined || raw.trim() === '') return [];
  const out: CacheConfig[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim();
    const url = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!CACHE_NAME.test(name))
      throw new ConfigError(
        variable,
        `each entry is name=redis://host:port/db with a name of lowercase letters, digits, _ and - (at most 64); got "${eq < 0 ? part : name}"`,
      );
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(variable, `cache "${name}": "${url.replace(/\/\/[^@/]*@/, '//…@')}" is not a URL`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
      throw new ConfigError(variable, `cache "${name}": the URL must start with redis:// or rediss://, got ${parsed.protocol}//`);
    if (out.some((c) => c.name === name)) throw new ConfigError(variable, `cache "${name}" is named twice`);
    out.push({ name, url });
  }
  return out;
}

const caches = (name: string, description: string): EnvVar<CacheConfig[]> => ({
  name,
  description,
  defaultText: '(unset)',
  parse: (raw) => parseCaches(name, raw),
});

/** Named Redis caches and how fast a purge may remove their keys; docs/operations.md "Cache purge". */
export const cachesEnv = {
  caches: caches(
    'CACHES',
    'The Redis caches operators may purge: comma-separated name=URL (e.g. sessions=redis://127.0.0.1:6379/0,pages=rediss://:secret@cache.internal:6380/2). The URLs may hold passwords: they are never logged or served.',
  ),
  purgeKeysPerSecond: int(
    'CACHE_PURGE_KEYS_PER_SECOND',
    1000,
    'Keys a second one cache may lose to purges in this process (a token bucket per cache, one second of burst).',
    { min: 1 },
  ),
  purgeBatch: int('CACHE_PURGE_BATCH', 100, 'Keys per SCAN step (its COUNT) and per UNLINK.', { min: 1, max: 10_000 }),
  purgeProgressMs: int(
    'CACHE_PURGE_PROGRESS_MS',
    2000,
    'How often a running purge records its progress (also how soon it sees a cancel requested from another process).',
    { min: 10 },
  ),
  purgeStaleMs: int(
    'CACHE_PURGE_STALE_MS',
    60_000,
    'A running purge without progress for this long is taken as abandoned (its process died): a new purge of the same cache and pattern may start.',
    { min: 100 },
  ),
  connectTimeoutMs: int('CACHE_CONNECT_TIMEOUT_MS', 5000, 'Timeout of connecting to a cache, and of one command.', { min: 100 }),
} as const;
