import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';

const FLUSH_MS = 1000;
/** One-second buckets: spike windows can be short in tests and still exact. */
const BUCKET_MS = 1000;
const KEEP_BUCKETS = (24 * 3600 * 1000) / BUCKET_MS;

/**
 * Per-second counts shared across processes. `add` only touches memory; a flush every second
 * adds the pending counts to PostgreSQL in one statement.
 */
@Injectable()
export class SharedCounters implements OnModuleInit, OnApplicationShutdown {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  add(name: string, n = 1): void {
    const key = `${name}\u0000${Math.floor(Date.now() / BUCKET_MS)}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + n);
  }

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    const entries = [...batch].map(([k, n]) => [...k.split('\u0000'), n] as const);
    await this.pool.query(
      `INSERT INTO shared_counters (name, bucket, count) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
       ON CONFLICT (name, bucket) DO UPDATE SET count = shared_counters.count + EXCLUDED.count`,
      [entries.map((e) => e[0]), entries.map((e) => e[1]), entries.map((e) => e[2])],
    );
    await this.pool.query('DELETE FROM shared_counters WHERE bucket < $1', [Math.floor(Date.now() / BUCKET_MS) - KEEP_BUCKETS]);
  }

  /** Total over the last `windowMs` (whole seconds, the current one included), all processes. */
  async sum(name: string, windowMs: number, now = Date.now()): Promise<number> {
    const from = Math.floor((now - windowMs) / BUCKET_MS) + 1;
    const { rows } = await this.pool.query<{ n: string | null }>('SELECT sum(count) AS n FROM shared_counters WHERE name = $1 AND bucket >= $2', [name, from]);
    let local = 0;
    for (const [k, n] of this.pending) {
      const [key, bucket] = k.split('\u0000');
      if (key === name && Number(bucket) >= from) local += n;
    }
    return Number(rows[0].n ?? 0) + local;
  }
}
