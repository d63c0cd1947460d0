import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { bearerToken } from '../auth/bearer-token';
import { secretsEqual } from '../auth/token-secret';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { Clock, CLOCK, rfc3339 } from '../shared/clock';

/** Token under which /api/health finds the snapshot provider (optional there). */
export const QUEUE_SNAPSHOT = Symbol('QUEUE_SNAPSHOT');

export interface QueueSnapshotProvider {
  /** The queue snapshot when `authorization` is `Bearer $CRON_SECRET`, else null (never an error). */
  snapshotFor(authorization: string | undefined): Promise<Record<string, unknown> | null>;
}

@Injectable()
export class JobsQueueSnapshot implements QueueSnapshotProvider {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Timing-safe (secretsEqual): neither the secret's length nor a common prefix leaks. */
  private authorized(header: string | undefined): boolean {
    const secret = this.config.jobs.cronSecret;
    const token = bearerToken(header);
    return !!secret && token !== null && secretsEqual(token, secret);
  }

  async snapshotFor(authorization: string | undefined): Promise<Record<string, unknown> | null> {
    if (!this.authorized(authorization)) return null;
    const q = await readQueueFigures(this.pool, this.clock.now());
    return {
      pending: q.pending,
      retrying: q.retrying,
      processing: q.processing,
      dead_letter: q.deadLetter,
      oldest_ready_at: rfc3339(q.oldestReadyAt),
      oldest_ready_age_seconds: q.oldestReadyAgeSeconds,
    };
  }
}

/** The queue figures, shared by /api/health, the /metrics gauges and the alert rules. */
export interface QueueFigures {
  readonly pending: number;
  readonly retrying: number;
  readonly processing: number;
  /** Runs that ended failed (dead-lettered) still in the live queue view (the janitor drops them after 7 d). */
  readonly deadLetter: number;
  readonly oldestReadyAt: Date | null;
  readonly oldestReadyAgeSeconds: number | null;
}

export async function readQueueFigures(pool: Pool, now: Date): Promise<QueueFigures> {
  const { rows } = await pool.query<{ pending: number; retrying: number; processing: number; dead_letter: number; oldest: Date | null }>(
    `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
            count(*) FILTER (WHERE state = 'retrying')::int AS retrying,
            count(*) FILTER (WHERE state IN ('running', 'cancelling'))::int AS processing,
            count(*) FILTER (WHERE state = 'failed')::int AS dead_letter,
            min(ready_at) FILTER (WHERE state IN ('pending', 'retrying') AND ready_at <= $1) AS oldest
       FROM rm_job_queue`,
    [now.toISOString()],
  );
  const r = rows[0];
  return {
    pending: r.pending,
    retrying: r.retrying,
    processing: r.processing,
    deadLetter: r.dead_letter,
    oldestReadyAt: r.oldest,
    oldestReadyAgeSeconds: r.oldest ? Math.max(0, Math.floor((now.getTime() - r.oldest.getTime()) / 1000)) : null,
  };
}
