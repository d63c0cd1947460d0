import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { RateLimitOverrideRow } from '../../projections/rate-limit-overrides/rate-limit-overrides.projection';
import { AUTH_FAILURE_SUBJECT_PREFIX } from '../auth/auth-failure-limiter';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets (for Retry-After). */
  readonly retryAfterSeconds: number;
}

interface Counter {
  /** Requests this process counted and has not yet added to the shared row. */
  pending: number;
  /** The shared total (all processes) as of the last sync. */
  shared: number;
}

/**
 * Fixed-window limits shared by every API process through PostgreSQL. A request is decided from
 * memory (shared total at the last sync + this process's own count since), and each process adds
 * its counts to the shared rows every RATE_LIMIT_SYNC_MS in one statement. So the limit holds
 * across processes to within one sync interval of other processes' traffic, at no database cost
 * per request.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private window = -1;
  private counters = new Map<string, Counter>();
  private loading = new Map<string, Promise<Counter>>();
  private overrides: RateLimitOverrideRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.config.rateLimit.perMinute > 0;
  }

  async onModuleInit(): Promise<void> {
    if (this.config.rateLimit.perMinute === 0) return;
    await this.refreshOverrides();
    this.timer = setInterval(() => void this.sync(), this.config.rateLimit.syncMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
  }

  /** The limit for a caller: the highest active override for its tenant or address, else the default. */
  limitFor(tenant: string | null, ip: string): number {
    const now = this.clock.now().getTime();
    let limit = this.config.rateLimit.perMinute;
    for (const o of this.overrides) {
      if (o.revokedAt || o.expiresAtEpochMs <= now) continue;
      if ((o.subject.tenant && o.subject.tenant === tenant) || (o.subject.ip && o.subject.ip === ip)) limit = Math.max(limit, o.limit);
    }
    return limit;
  }

  async check(subject: string, tenant: string | null, ip: string): Promise<RateDecision> {
    const { perMinute, windowMs } = this.config.rateLimit;
    const now = this.clock.now().getTime();
    const w = Math.floor(now / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((w + 1) * windowMs - now) / 1000));
    if (perMinute === 0) return { allowed: true, limit: 0, remaining: 0, retryAfterSeconds };
    if (w !== this.window) {
      this.window = w;
      this.counters = new Map();
      this.loading = new Map();
    }
    const limit = this.limitFor(tenant, ip);
    const c = this.counters.get(subject) ?? (await this.firstSight(subject, w));
    const used = c.shared + c.pending;
    if (used >= limit) return { allowed: false, limit, remaining: 0, retryAfterSeconds };
    c.pending++;
    return { allowed: true, limit, remaining: limit - used - 1, retryAfterSeconds };
  }

  /** The first request of a subject in a window reads what other processes counted already. */
  private firstSight(subject: string, window: number): Promise<Counter> {
    let p = this.loading.get(subject);
    if (!p) {
      p = this.pool
        .query<{ count: number }>('SELECT count FROM rate_limit_counters WHERE subject = $1 AND window_start = $2', [subject, window])
        .then(
          (r) => r.rows[0]?.count ?? 0,
          () => 0,
        )
        .then((shared) => {
          const existing = this.counters.get(subject);
          if (existing) return existing;
          const c = { pending: 0, shared };
          if (this.window === window) this.counters.set(subject, c);
          return c;
        });
      this.loading.set(subject, p);
    }
    return p;
  }

  /** Adds this process's counts to the shared rows and reads the totals back. */
  sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = this.doSync()
      .catch((err) => this.log.warn({ event: 'rate_limit.sync_failed', err: String(err) }, 'rate-limit sync failed; deciding from local counts'))
      .finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const window = this.window;
    const counters = this.counters;
    const flush = [...counters].filter(([, c]) => c.pending > 0).map(([s, c]) => [s, c.pending] as const);
    if (flush.length) {
      const { rows } = await this.pool.query<{ subject: string; count: number }>(
        `INSERT INTO rate_limit_counters (subject, window_start, count)
         SELECT s, $3, n FROM unnest($1::text[], $2::int[]) AS u(s, n)
         ON CONFLICT (subject, window_start) DO UPDATE SET count = rate_limit_counters.count + EXCLUDED.count
         RETURNING subject, count`,
        [flush.map(([s]) => s), flush.map(([, n]) => n), window],
      );
      const flushed = new Map(flush);
      for (const r of rows) {
        const c = counters.get(r.subject);
        if (!c) continue;
        c.pending -= flushed.get(r.subject) ?? 0; // requests that arrived during the flush stay pending
        c.shared = r.count;
      }
    }
    // Totals other processes added for subjects this process has seen.
    const seen = [...counters.keys()];
    if (seen.length) {
      const { rows } = await this.pool.query<{ subject: string; count: number }>(
        'SELECT subject, count FROM rate_limit_counters WHERE window_start = $1 AND subject = ANY($2::text[])',
        [window, seen],
      );
      for (const r of rows) {
        const c = counters.get(r.subject);
        if (c) c.shared = Math.max(c.shared, r.count);
      }
    }
    // Only its own subjects: the failed-authentication counts share the table with other windows.
    await this.pool.query(`DELETE FROM rate_limit_counters WHERE window_start < $1 AND subject NOT LIKE '${AUTH_FAILURE_SUBJECT_PREFIX}%'`, [window - 1]);
    await this.refreshOverrides();
  }

  /** Active overrides by the service's clock, as `limitFor` judges them (the database's clock may differ from it). */
  async refreshOverrides(): Promise<void> {
    const { rows } = await this.pool.query<{ doc: RateLimitOverrideRow }>('SELECT doc FROM rm_rate_limit_overrides WHERE NOT revoked AND expires_at > $1', [
      this.clock.now(),
    ]);
    this.overrides = rows.map((r) => r.doc);
  }
}
