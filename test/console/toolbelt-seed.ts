import Redis from 'ioredis';
import type { Api, FakeUpstream } from './console-seed';

/**
 * The toolbelt's part of the seeded installation: a Redis cache with keys to purge (slowly, so a
 * purge can be watched and cancelled), webhook deliveries that failed for good into the inbox, two
 * flags, a rate-limit override.
 */
export function toolbeltEnv(redisUrl: string): Record<string, string> {
  return {
    CACHES: `pages=${redisUrl}`,
    CACHE_PURGE_KEYS_PER_SECOND: '4',
    CACHE_PURGE_BATCH: '4',
    CACHE_PURGE_PROGRESS_MS: '500',
    // One attempt per delivery: a receiver that answers 503 puts it in the failures inbox at once.
    WEBHOOK_RETRY_SCHEDULE_MS: 'none',
    WEBHOOK_POLL_MS: '100',
  };
}

/** Fills the cache: `page:*` keys a purge removes at 4 a second (a minute of work). */
export async function fillCache(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await redis.flushdb();
    await redis.mset(Object.fromEntries(Array.from({ length: 240 }, (_, i) => [`page:${i}`, 'cached'])));
  } finally {
    redis.disconnect();
  }
}

const ok = async (p: Promise<{ status: number; body: any }>, what: string) => {
  const r = await p;
  if (r.status >= 300) throw new Error(`toolbelt seed: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`toolbelt seed: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ToolbeltSeeded {
  /** The failed deliveries in the inbox, newest first. */
  readonly failures: string[];
}

export async function seedToolbelt(api: Api, up: FakeUpstream): Promise<ToolbeltSeeded> {
  const subscribe = (url: string, eventTypes: string[], description: string, tenant?: string) =>
    ok(
      api('POST', '/api/webhooks/subscriptions', { url, eventTypes, description, reason: 'console seed', ...(tenant ? { tenant } : {}) }),
      `subscribe ${description}`,
    );
  // The receiver answers 503: each delivery fails for good (no retries) and lands in the inbox.
  const down = await subscribe(`${up.base}/hooks/down`, ['TargetRegistered'], 'CMDB sync (receiver down)');
  for (const name of ['cmdb-1', 'cmdb-2', 'cmdb-3'])
    await ok(api('POST', '/api/targets', { type: 'instance', name, probe: { kind: 'http', url: `${up.base}/ok` }, reason: 'console seed' }), `target ${name}`);
  const failures = await until('three failed deliveries', async () => {
    const items = (await api('GET', '/api/webhooks/failures')).body.items as { id: string }[];
    return items.length >= 3 && items.map((i) => i.id);
  });
  await ok(api('DELETE', `/api/webhooks/subscriptions/${down.id}`, { reason: 'receiver retired' }), 'delete the failing subscription');
  await subscribe(`${up.base}/ok`, ['RunFailed', 'AlertFired'], 'on-call bridge');

  const flag = (key: string, description: string, type: string, defaultValue: unknown) =>
    ok(api('POST', '/api/flags', { key, description, type, defaultValue, reason: 'console seed' }), `flag ${key}`);
  await flag('checkout.new-flow', 'Serve the new checkout flow', 'boolean', false);
  await flag('export.batch-size', 'Rows per export batch', 'number', 500);
  await ok(api('PUT', '/api/flags/export.batch-size/value', { value: 200, reason: 'warehouse under load' }), 'set export.batch-size');

  await ok(
    api('POST', '/api/rate-limits/overrides', {
      subject: { tenant: 'acme' },
      limit: 5000,
      expiresAt: new Date(Date.now() + 6 * 3_600_000).toISOString(),
      reason: 'backfill after outage',
    }),
    'rate-limit override',
  );
  return { failures };
}
