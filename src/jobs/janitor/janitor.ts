import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { EventMetadata } from '../../event-store/envelope';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import type { Clock } from '../../shared/clock';
import { isRejection } from '../../shared/decider';
import { runDecider, RunStepCommand } from '../run.decider';
import type { RunState } from '../run.state';
import type { RunWriter } from '../store/run-writer';
import { leftQueueViewSql, QueueRetention, queueRetentionParams, RetentionClass } from '../queue/queue-retention';
import type { Reaper } from './reaper';

export interface JanitorRules extends QueueRetention {
  /** A run active this long without finishing is stuck, unless its job declares a longer stuckAfter. */
  readonly stuckAfterMs: number;
  readonly cancelPendingAfterMs: number;
  readonly reapWorkersAfterMs: number;
  readonly idempotencyKeyTtlMs: number;
}

export interface JanitorReport {
  readonly failedActive: number;
  readonly cancelledPending: number;
  readonly expired: number;
  readonly droppedCompleted: number;
  readonly droppedFailed: number;
  readonly reapedWorkers: number;
  readonly abandonedRuns: number;
  readonly expiredIdempotencyKeys: number;
}

const CHUNK = 500;
const formatMinutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/**
 * The janitor's six rules: fail runs stuck (active too long, whatever their timeout), cancel runs waiting too
 * long, drop old completed and failed rows from the live queue view (events and history stay),
 * reap dead workers, expire idempotency keys — plus closing runs past their expiresAt.
 */
export class Janitor {
  constructor(
    private readonly pool: Pool,
    private readonly writer: RunWriter,
    private readonly reaper: Reaper,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * On its timer each rule commits on its own (in chunks); with `unit` (an operator's janitor
   * action, audited) every change is part of that one unit of work.
   */
  async run(rules: JanitorRules, by: string, metadata: Partial<EventMetadata> = { actor: 'janitor' }, unit?: UnitOfWork): Promise<JanitorReport> {
    const db = unit ? sqlOf(unit) : this.pool;
    const now = this.clock.now();
    const iso = now.toISOString();
    const failedActive = await this.applyTo(
      `SELECT key FROM rm_job_queue WHERE state IN ('running', 'cancelling')
          AND claimed_at + make_interval(secs => coalesce((doc->>'stuckAfterMs')::float8, $2) / 1000) < $1::timestamptz`,
      [iso, rules.stuckAfterMs],
      {
        type: 'ForceFail',
        reason: `janitor: stuck (active longer than its stuck age, ${formatMinutes(rules.stuckAfterMs)} unless the job declares stuckAfter)`,
        now,
      },
      metadata,
      unit,
    );
    const expired = await this.applyTo(
      `SELECT key FROM rm_job_queue WHERE state IN ('pending', 'retrying') AND doc->>'expiresAt' IS NOT NULL AND ol_jobs_ts(doc->>'expiresAt') <= $1::timestamptz`,
      [iso],
      { type: 'Expire', now },
      metadata,
      unit,
    );
    const cancelledPending = await this.applyTo(
      `SELECT key FROM rm_job_queue WHERE state IN ('pending', 'retrying') AND ready_at < $1::timestamptz - make_interval(secs => $2::float8 / 1000)`,
      [iso, rules.cancelPendingAfterMs],
      { type: 'ForceCancel', reason: `janitor: waited more than ${Math.round(rules.cancelPendingAfterMs / 60000)} min for a worker`, by: 'janitor', now },
      metadata,
      unit,
    );
    const drop = async (cls: RetentionClass) =>
      (await db.query(`DELETE FROM rm_job_queue WHERE ${leftQueueViewSql(cls)}`, queueRetentionParams(cls, now, rules))).rowCount ?? 0;
    const droppedCompleted = await drop('completed');
    const droppedFailed = await drop('failed');
    const reaped = await this.reaper.reap(rules.reapWorkersAfterMs, by, unit);
    const expiredIdempotencyKeys =
      (
        await db.query(`DELETE FROM job_idempotency_keys WHERE created_at < $1::timestamptz - make_interval(secs => $2::float8 / 1000)`, [
          iso,
          rules.idempotencyKeyTtlMs,
        ])
      ).rowCount ?? 0;
    const report: JanitorReport = {
      failedActive,
      cancelledPending,
      expired,
      droppedCompleted,
      droppedFailed,
      reapedWorkers: reaped.workers.length,
      abandonedRuns: reaped.runs.length,
      expiredIdempotencyKeys,
    };
    this.log.info({ event: 'background_job.janitor', by, ...report }, 'janitor ran');
    return report;
  }

  /** Force-fail every active run (operator "Fail Active Jobs"), in the operator's unit; only `tenant`'s when given. */
  failAllActive(unit: UnitOfWork, reason: string, metadata: Partial<EventMetadata>, tenant: string | null = null): Promise<number> {
    return this.applyTo(
      `SELECT key FROM rm_job_queue WHERE state IN ('running', 'cancelling') AND ($1::text IS NULL OR tenant = $1)`,
      [tenant],
      { type: 'ForceFail', reason, now: this.clock.now() },
      metadata,
      unit,
    );
  }

  /** Cancel every waiting run (operator "Cancel All Pending"), in the operator's unit; only `tenant`'s when given. */
  cancelAllPending(unit: UnitOfWork, reason: string, metadata: Partial<EventMetadata>, tenant: string | null = null): Promise<number> {
    return this.applyTo(
      `SELECT key FROM rm_job_queue WHERE state IN ('pending', 'retrying') AND ($1::text IS NULL OR tenant = $1)`,
      [tenant],
      { type: 'ForceCancel', reason, by: 'operator', now: this.clock.now() },
      metadata,
      unit,
    );
  }

  /** Each chunk in its own unit, or every chunk in `unit`. */
  private async applyTo(select: string, params: unknown[], cmd: RunStepCommand, metadata: Partial<EventMetadata>, unit?: UnitOfWork): Promise<number> {
    const { rows } = await (unit ? sqlOf(unit) : this.pool).query<{ key: string }>(select, params);
    let n = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const ids = rows.slice(i, i + CHUNK).map((r) => r.key);
      const decide = (row: RunState | null) => runDecider.decide(cmd, row);
      const decisions = unit ? await this.writer.actIn(unit, ids, decide, () => metadata) : await this.writer.act(ids, decide, () => metadata);
      n += [...decisions.values()].filter((d) => !isRejection(d)).length;
    }
    return n;
  }
}
