import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { RunRow } from '../../projections/job-runs/run-row';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import type { SqlSession } from '../event-store/unit-of-work';
import { sqlOf } from '../event-store/unit-of-work';
import type { JobCatalog } from '../jobs/definitions/job-catalog';
import type { JobsRuntime } from '../jobs/jobs-runtime';
import { JOB_CATALOG, JOBS_RUNTIME } from '../jobs/jobs.di';
import { Clock, CLOCK } from '../shared/clock';
import { RejectedError, isRejection } from '../shared/decider';
import { BadInput, Conflict } from '../shared/errors';
import { BulkRetryPlan, decideBulkRetry, FailedRunsState, FailureSelection } from './bulk-retry.decider';

export interface RetryFailuresRequest {
  readonly selection: FailureSelection;
  readonly reason: string;
  readonly cap?: number;
  readonly confirm?: number;
  readonly dryRun: boolean;
}

type Listed = { readonly runId: string; readonly job: string; readonly tenant: string | null };
export type RetryFailuresAnswer =
  | {
      readonly signature: string;
      readonly dryRun: true;
      readonly count: number;
      readonly cap: number;
      readonly wouldRetry: readonly (Listed & { readonly failedAt: string | null })[];
      readonly notRetried: BulkRetryPlan['notRetried'];
    }
  | {
      readonly signature: string;
      readonly dryRun: false;
      readonly count: number;
      readonly auditEventId: string;
      readonly retried: readonly (Listed & { readonly newRunId: string })[];
      readonly notRetried: BulkRetryPlan['notRetried'];
    };

export class RetryFailuresCommand extends Command<RetryFailuresAnswer> {
  constructor(
    readonly ctx: OperatorContext,
    readonly request: RetryFailuresRequest,
  ) {
    super();
  }
}

/** Failed runs loaded per action at most this many times the highest cap: a bigger selection is refused (narrow it). */
const SCAN_FACTOR = 10;

/** Which of `runIds` a later run retries, through the pool or inside a unit (its own SQL session). */
async function retriedBy(db: Pick<Pool, 'query'> | SqlSession, runIds: readonly string[]): Promise<Map<string, string>> {
  if (runIds.length === 0) return new Map();
  const { rows } = await db.query<{ of: string; key: string }>(
    `SELECT doc->>'retryOf' AS of, key FROM rm_job_runs WHERE doc->>'retryOf' = ANY($1)
     UNION ALL SELECT doc->>'retryOf', key FROM rm_job_queue WHERE doc->>'retryOf' = ANY($1)`,
    [runIds],
  );
  return new Map(rows.map((r) => [r.of, r.key]));
}

/**
 * POST /api/failures/groups/:signature/retry. Loads the failed runs of the selection from the run
 * history and which of them are retried already, decides (bulk-retry.decider.ts), and — unless a
 * dry run — records ONE operator action (`failures.retry`) and every retry run it causes in one
 * unit of work (ADR 0008): each RunEnqueued carries the entry's id as causationId, and the entry
 * lists the retries. A refused action (cap, confirmation, nothing of the signature) appends nothing.
 */
@CommandHandler(RetryFailuresCommand)
export class RetryFailuresHandler implements ICommandHandler<RetryFailuresCommand> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(JOB_CATALOG) private readonly catalog: JobCatalog,
    @Inject(JOBS_RUNTIME) private readonly rt: JobsRuntime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditRecorder,
  ) {}

  async execute({ ctx, request: r }: RetryFailuresCommand): Promise<RetryFailuresAnswer> {
    const { retryCapDefault, retryCapMax } = this.config.failures;
    if (r.cap !== undefined && r.cap > retryCapMax) throw BadInput.field('cap', `must be at most ${retryCapMax} (FAILURES_RETRY_CAP_MAX)`);
    if (!r.dryRun && r.confirm === undefined)
      throw BadInput.field('confirm', 'is required: the number of runs the dry run (dryRun: true) says would be retried');
    const cap = r.cap ?? retryCapDefault;
    const sig = r.selection.signature;
    if (r.dryRun) {
      const plan = await this.plan(r, cap, ctx, null);
      return {
        signature: sig,
        dryRun: true,
        count: plan.retry.length,
        cap,
        wouldRetry: plan.retry.map(({ original: o }) => ({ runId: o.runId, job: o.job, tenant: o.tenant, failedAt: o.finishedAt })),
        notRetried: plan.notRetried,
      };
    }
    return this.audit.act(
      ctx,
      { action: 'failures.retry', target: `signature:${sig}`, reason: r.reason },
      {
        check: () => this.plan(r, cap, ctx, r.confirm!),
        apply: async (unit, plan) => {
          // Units run one at a time (the chain head lock): a retry committed since the check is visible here.
          const raced = await retriedBy(
            sqlOf(unit.uow),
            plan.retry.map((p) => p.original.runId),
          );
          if (raced.size) {
            const [of, by] = [...raced][0];
            throw new Conflict(`confirm: run ${of} was retried meanwhile (by run ${by}); check the dry run again`);
          }
          const retried = plan.retry.map(({ original: o, event }) => ({ runId: o.runId, job: o.job, tenant: o.tenant, newRunId: event.data.runId }));
          await unit.record('applied', {
            source: 'runs',
            signature: sig,
            selection: selectionDetails(r.selection),
            cap,
            retried: retried.map(({ runId, newRunId }) => ({ runId, newRunId })),
            notRetried: plan.notRetried,
          });
          if (plan.retry.length)
            await this.rt.queue.enqueueIn(
              unit.uow,
              plan.retry.map(({ event }) => ({ event, metadata: unit.metadata })),
            );
          return {
            signature: sig,
            dryRun: false as const,
            count: retried.length,
            auditEventId: unit.metadata.causationId,
            retried,
            notRetried: plan.notRetried,
          };
        },
      },
    );
  }

  /** The decision on the selection as the history holds it now; a refusal is thrown (4xx, nothing appended). */
  private async plan(r: RetryFailuresRequest, cap: number, ctx: OperatorContext, confirm: number | null): Promise<BulkRetryPlan> {
    const state = await this.load(r.selection, this.config.failures.retryCapMax * SCAN_FACTOR);
    const decision = decideBulkRetry(
      {
        type: 'RetryFailures',
        selection: r.selection,
        definition: (job) => this.catalog.get(job) ?? null,
        cap,
        confirm,
        actor: ctx.actor,
        reason: r.reason,
        now: this.clock.now(),
        newRunId: () => randomUUID(),
      },
      state,
    );
    if (isRejection(decision)) throw new RejectedError(decision);
    return decision;
  }

  private async load(s: FailureSelection, max: number): Promise<FailedRunsState> {
    const args: unknown[] = [s.signature];
    const where = [`state = 'failed'`, 'error_signature = $1'];
    const add = (sql: string, v: unknown) => where.push(sql.replace('?', `$${args.push(v)}`));
    if (s.scope !== null) add('tenant = ?', s.scope);
    if (s.tenant !== undefined) add('tenant = ?', s.tenant);
    if (s.job !== undefined) add('job = ?', s.job);
    if (s.from) add('enqueued_at >= ?::timestamptz', s.from.toISOString());
    if (s.to) add('enqueued_at < ?::timestamptz', s.to.toISOString());
    const { rows } = await this.pool.query<{ doc: RunRow }>(
      `SELECT doc - 'logTail' AS doc FROM rm_job_runs WHERE ${where.join(' AND ')} ORDER BY enqueued_at, key LIMIT $${args.push(max + 1)}`,
      args,
    );
    if (rows.length > max)
      throw new Conflict(`cap: more than ${max} failed runs have this signature in the selection: narrow it (job, tenant, from, to) and retry in parts`);
    const runs = new Map(rows.map(({ doc }) => [doc.runId, { ...doc, logTail: null }]));
    return { runs, retriedBy: await retriedBy(this.pool, [...runs.keys()]) };
  }
}

const selectionDetails = (s: FailureSelection) => ({
  job: s.job ?? null,
  tenant: s.tenant ?? null,
  from: s.from?.toISOString() ?? null,
  to: s.to?.toISOString() ?? null,
});
