import { Inject, Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { Pool } from 'pg';
import { PG_POOL } from './database.module';
import { LoopState, LoopStateRow } from './loop-state';

/** This process's identity in loop_states and worker rows. */
export const INSTANCE_ID = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

/**
 * Background loops report their state here; ops health reads every process's rows to tell
 * "idle", "working", stale (no run for 2.5× the interval) or gone.
 */
@Injectable()
export class LoopStateService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** `ran` marks a completed cycle (what staleness is measured from). */
  async report(loop: string, state: LoopState, intervalMs: number, opts: { ran?: boolean; detail?: Record<string, unknown> } = {}): Promise<void> {
    await this.pool.query(
      `INSERT INTO loop_states (loop, instance_id, state, interval_ms, last_run_at, beat_at, detail)
       VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, now(), $6)
       ON CONFLICT (loop, instance_id) DO UPDATE SET state = EXCLUDED.state, interval_ms = EXCLUDED.interval_ms,
         last_run_at = COALESCE(EXCLUDED.last_run_at, loop_states.last_run_at), beat_at = now(),
         detail = COALESCE(EXCLUDED.detail, loop_states.detail)`,
      [loop, INSTANCE_ID, state, intervalMs, opts.ran ?? false, opts.detail ? JSON.stringify(opts.detail) : null],
    );
  }

  async list(): Promise<LoopStateRow[]> {
    const { rows } = await this.pool.query(`SELECT * FROM loop_states ORDER BY loop, instance_id`);
    return rows.map((r) => ({
      loop: r.loop,
      instanceId: r.instance_id,
      state: r.state,
      intervalMs: r.interval_ms,
      lastRunAt: r.last_run_at,
      beatAt: r.beat_at,
      startedAt: r.started_at,
      detail: r.detail,
    }));
  }
}
