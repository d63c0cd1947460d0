import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { inScope } from '../auth/tenant-scope';
import { Clock, CLOCK } from '../shared/clock';
import { BadInput, Conflict, NotFound } from '../shared/errors';
import { LOGGER } from '../shared/logger';
import type { JobCatalog } from './definitions/job-catalog';
import type { Decision } from './decision';
import { decideEnqueue, decideRetry } from './enqueue.decider';
import type { JobsRuntime } from './jobs-runtime';
import { JOB_CATALOG, JOBS_RUNTIME } from './jobs.tokens';
import { decideRun } from './run.decider';
import { RunReadModel } from './run-read-model';
import { validateRunParams } from './validate-params';

function orThrow<E>(d: Decision<E>, what: string): asserts d is { ok: true; events: E[] } {
  if (d.ok) return;
  if (d.code === 'not_found') throw new NotFound(`${what}: ${d.reason}`);
  throw new Conflict(d.reason);
}

/**
 * Operator actions on jobs and runs. Each decides first (so a refused action appends nothing, not
 * even an audit event), then records the audit event, then appends the run events carrying its
 * metadata (causationId = the audit event).
 */
@Injectable()
export class JobsService {
  constructor(
    @Inject(JOB_CATALOG) private readonly catalog: JobCatalog,
    @Inject(JOBS_RUNTIME) private readonly rt: JobsRuntime,
    private readonly runs: RunReadModel,
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** A job exists for a tenant-scoped caller only when its definition names that tenant. */
  private jobFor(name: string, ctx: OperatorContext) {
    const def = this.catalog.get(name);
    if (!def || !inScope(ctx.tenant, def.tenant)) throw new NotFound(`job "${name}" is not defined; GET /api/jobs lists the jobs`);
    return def;
  }

  /** A run exists for a tenant-scoped caller only when it is that tenant's run. */
  private async runFor(runId: string, ctx: OperatorContext) {
    const r = await this.runs.run(runId);
    if (!r || !inScope(ctx.tenant, r.row.tenant)) throw new NotFound(`run ${runId} does not exist`);
    return r;
  }

  async runNow(name: string, body: { reason: string; params?: Record<string, unknown> }, ctx: OperatorContext, idempotencyKey?: string) {
    const def = this.jobFor(name, ctx);
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) throw BadInput.field('Idempotency-Key', 'must be 1-200 visible ASCII characters');
    const params = validateRunParams(body.params);
    const runId = randomUUID();
    const d = decideEnqueue(def, { runId, trigger: 'manual', actor: ctx.actor, reason: body.reason, params, now: this.clock.now() });
    orThrow(d, `job ${name}`);
    const meta = await this.audit.record(ctx, 'job.run', `job:${name}`, body.reason, { runId, params });
    const res = await this.rt.queue.enqueue([{ event: d.events[0], metadata: meta }], idempotencyKey);
    if (res.duplicateOf) return { runId: res.duplicateOf, job: name, state: 'duplicate' as const };
    return { runId, job: name, state: 'pending' as const };
  }

  async cancel(runId: string, reason: string, ctx: OperatorContext) {
    const current = await this.runFor(runId, ctx);
    const cmd = { type: 'RequestCancel' as const, actor: ctx.actor, reason, now: this.clock.now() };
    orThrow(decideRun(current.row, cmd), `run ${runId}`);
    const meta = await this.audit.record(ctx, 'run.cancel', `run:${runId}`, reason, { job: current.row.job });
    const d = (await this.rt.writer.act([runId], (row) => decideRun(row, cmd), () => meta)).get(runId)!;
    orThrow(d, `run ${runId}`);
    return { runId, job: current.row.job, state: d.events.some((e) => e.type === 'RunCancelled') ? 'cancelled' : 'cancelling' };
  }

  async retry(runId: string, body: { reason: string; params?: Record<string, unknown> }, ctx: OperatorContext) {
    const original = await this.runFor(runId, ctx);
    // A scoped caller retries only runs of its own jobs: a shared job's run could be re-aimed elsewhere by new params.
    if (ctx.tenant !== null) this.jobFor(original.row.job, ctx);
    const def = this.catalog.get(original.row.job) ?? null;
    const params = body.params === undefined ? undefined : validateRunParams(body.params);
    const newId = randomUUID();
    const d = decideRetry(def, original.row, { runId: newId, actor: ctx.actor, reason: body.reason, params, now: this.clock.now() });
    orThrow(d, `run ${runId}`);
    const meta = await this.audit.record(ctx, 'run.retry', `run:${runId}`, body.reason, { job: original.row.job, newRunId: newId, params: d.events[0].data.params });
    await this.rt.queue.enqueue([{ event: d.events[0], metadata: meta }]);
    return { runId: newId, retryOf: runId, job: original.row.job, state: 'pending' as const };
  }

  /** Cluster housekeeping over every tenant's runs and workers: its route is installation-wide. */
  async janitor(ctx: OperatorContext, reason: string) {
    const meta = await this.audit.record(ctx, 'system.janitor', 'queue', reason);
    return this.rt.janitor.run(this.rt.janitorRules, ctx.actor, meta);
  }

  async failActive(ctx: OperatorContext, reason: string) {
    const meta = await this.audit.record(ctx, 'system.fail_active', 'queue', reason);
    const failed = await this.rt.janitor.failAllActive(`failed by ${ctx.actor}: ${reason}`, meta, ctx.tenant);
    this.log.warn({ event: 'background_job.fail_active', actor: ctx.actor, failed }, `${failed} active run(s) force-failed`);
    return { failed };
  }

  async cancelPending(ctx: OperatorContext, reason: string) {
    const meta = await this.audit.record(ctx, 'system.cancel_pending', 'queue', reason);
    const cancelled = await this.rt.janitor.cancelAllPending(`cancelled by ${ctx.actor}: ${reason}`, meta, ctx.tenant);
    this.log.warn({ event: 'background_job.cancel_pending', actor: ctx.actor, cancelled }, `${cancelled} pending run(s) cancelled`);
    return { cancelled };
  }
}
