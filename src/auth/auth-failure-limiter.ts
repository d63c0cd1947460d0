import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';

/** Subjects of the shared counters table this limiter owns (the request limiter leaves them alone). */
export const AUTH_FAILURE_SUBJECT_PREFIX = 'authfail:';
/** In-process counts kept per window at most; past it they restart (the shared counts still hold). */
const MAX_LOCAL = 100_000;

/**
 * The address a limit applies to: an IPv4 address as is (also when IPv4-mapped), an IPv6 address
 * by its /64, since one IPv6 client usually holds a whole /64 and could rotate through it.
 */
export function limitKey(address: string): string {
  try {
    const a = ipaddr.process(address);
    if (a.kind() === 'ipv4') return a.toString();
    return `${(a as ipaddr.IPv6).parts
      .slice(0, 4)
      .map((p) => p.toString(16))
      .join(':')}::/64`;
  } catch {
    return address;
  }
}

/**
 * Failed authentications per client address (the peer, or what a TRUSTED_PROXIES proxy says):
 * after AUTH_FAILURE_LIMIT in one clock-aligned window of AUTH_FAILURE_WINDOW_MS, every request
 * from that address answers 429 until the window ends. The counts are shared by every API process
 * through PostgreSQL (one upsert per failure); once an address is over the limit a process answers
 * it from memory, so a guesser costs nothing more, whatever tokens or headers it rotates.
 */
@Injectable()
export class AuthFailureLimiter {
  private window = -1;
  private local = new Map<string, number>();
  private blocked = new Set<string>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  private get limit(): number {
    return this.config.auth.failureLimit;
  }

  /** Starts a new window when the clock moved on; returns the current one. */
  private currentWindow(now: number): number {
    const w = Math.floor(now / this.config.auth.failureWindowMs);
    if (w !== this.window) {
      this.window = w;
      this.local = new Map();
      this.blocked = new Set();
      this.pool.query(`DELETE FROM rate_limit_counters WHERE subject LIKE '${AUTH_FAILURE_SUBJECT_PREFIX}%' AND window_start < $1`, [w]).catch(() => undefined);
    }
    return w;
  }

  private retryAfterSeconds(now: number): number {
    const windowMs = this.config.auth.failureWindowMs;
    return Math.max(1, Math.ceil(((Math.floor(now / windowMs) + 1) * windowMs - now) / 1000));
  }

  /** Throws the 429 when the address has used up its failures in this window. */
  check(address: string): void {
    if (this.limit === 0) return;
    const now = this.clock.now().getTime();
    this.currentWindow(now);
    if (this.blocked.has(limitKey(address))) throw this.tooMany(now);
  }

  /**
   * Counts one failed authentication. Returns the 429 to send instead of the 401 when this
   * failure went past the limit (requests in flight when the limit was reached).
   */
  async recordFailure(address: string): Promise<HttpException | null> {
    if (this.limit === 0) return null;
    const now = this.clock.now().getTime();
    const w = this.currentWindow(now);
    const key = limitKey(address);
    if (this.local.size >= MAX_LOCAL) this.local.clear();
    let count = (this.local.get(key) ?? 0) + 1;
    this.local.set(key, count);
    try {
      const { rows } = await this.pool.query<{ count: number }>(
        `INSERT INTO rate_limit_counters (subject, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (subject, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
         RETURNING count`,
        [AUTH_FAILURE_SUBJECT_PREFIX + key, w],
      );
      count = Math.max(count, rows[0].count);
    } catch (err) {
      this.log.warn({ event: 'auth.failure_count_failed', err: String(err) }, 'could not share the failed-authentication count; counting in this process');
    }
    if (this.window !== w) return null; // the window ended while counting
    if (count >= this.limit) {
      if (!this.blocked.has(key))
        this.log.warn(
          { event: 'auth.address_limited', address: key, failures: count, windowMs: this.config.auth.failureWindowMs },
          `too many failed authentications from ${key}`,
        );
      this.blocked.add(key);
    }
    return count > this.limit ? this.tooMany(now) : null;
  }

  private tooMany(now: number): HttpException {
    const retryAfter = this.retryAfterSeconds(now);
    return new HttpException(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many failed authentications from this client address (${this.limit} per ${Math.round(this.config.auth.failureWindowMs / 1000)} s); retry after ${retryAfter} s`,
        headers: { 'retry-after': String(retryAfter) }, // sent as headers by the exception filter
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
