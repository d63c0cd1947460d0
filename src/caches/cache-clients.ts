import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { CacheConfig } from '../config/caches.env';
import { APP_CONFIG } from '../config/config.module';
import { LOGGER } from '../shared/logger';

/** Where a cache lives without its credentials: scheme, host, port and database. */
export function cacheAddress(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}/${u.pathname.replace(/^\//, '') || '0'}`;
}

/**
 * One Redis client per configured cache (CACHES), connected on first use. Operator-configured
 * infrastructure like DATABASE_URL, so not subject to the egress policy (which governs URLs users
 * hand in). URLs may hold passwords: only `cacheAddress` is ever logged or served.
 */
@Injectable()
export class CacheClients implements OnApplicationShutdown {
  private readonly clients = new Map<string, Redis>();
  private readonly lastErrors = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  get caches(): readonly CacheConfig[] {
    return this.config.caches.caches;
  }

  find(name: string): CacheConfig | undefined {
    return this.caches.find((c) => c.name === name);
  }

  client(name: string): Redis {
    let c = this.clients.get(name);
    if (c) return c;
    const cache = this.find(name);
    if (!cache) throw new Error(`no cache named "${name}"`);
    const timeout = this.config.caches.connectTimeoutMs;
    c = new Redis(cache.url, {
      lazyConnect: true,
      connectTimeout: timeout,
      commandTimeout: timeout,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Without a listener a connection error would be an unhandled 'error' event.
    c.on('error', (err: Error) => {
      this.lastErrors.set(name, err.message);
      this.log.warn({ event: 'cache.connection_error', cache: name, address: cacheAddress(cache.url), err: err.message }, `cache ${name}: ${err.message}`);
    });
    this.clients.set(name, c);
    return c;
  }

  /** What the connection last failed with (ioredis's command errors do not say). */
  lastError(name: string): string | null {
    return this.lastErrors.get(name) ?? null;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.quit().catch(() => c.disconnect())));
    this.clients.clear();
  }
}
