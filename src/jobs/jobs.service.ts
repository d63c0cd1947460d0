import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { inScope } from '../access/tenant-scope';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow } from '../shared/decider';
import { BadInput, NotFound } from '../shared/errors';
import { LOGGER } from '../shared/logger';
import { Holds } from '../pausing/holds.service';
import type { JobCatalog } from './definitions/job-catalog';
import type { JobsRuntime } from './jobs-runtime';
import type { RunEnqueued } from './events/run.events';
import { JOB_CATALOG, JOBS_RUNTIME } from './jobs.di';
import { runDecider, RunStepCommand } from './run.decider';
import { RunReadModel } from './run-read-model';
import { validateRunParams } from './validate-params';

/**
 * Operator actions on jobs and runs. Each checks and decides first (a refused action appends
 * nothing, not even an audit entry), then, in one unit of work, records the audit entry and
 * appends the run events carrying its metadata (causationId = the audit entry): both or neither.
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
    private readonly holds: Holds,
  ) {}

  /** What holds a run of `def` with `params` now (its job's pause, its tenant's jobs pause), if anything. */
  private holdOf(def: { name: string; tenant: string | null }, params: Record<string, unknown> | undefined) {
    const tenant = def.tenant ?? (typeof params?.tenant === 'string' ? params.tenant : null);
    return this.holds.holdFor({ tenant, job: def.name });
  }

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

  /**
   * With an Idempotency-Key, the first request takes the key and queues the run; a replay (even a
   * concurrent one: the key is taken inside the unit) queues nothing, is recorded as a `duplicate`
   * entry naming the original run, and answers with the original run id.
   */
  async runNow(name: string, body: { reason: string; params?: Record<string, unknown>; force?: boolean }, ctx: OperatorContext, idempotencyKey?: string) {
    return this.audit.act(
      ctx,
      { action: 'job.run', target: `job:${name}`, reason: body.reason },
      {
        check: () => {
          const def = this.jobFor(name, ctx);
          if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey))
            throw BadInput.field('Idempotency-Key', 'must be 1-200 visible ASCII characters');
          const params = validateRunParams(def, body.params);
          const [event] = eventsOrThrow(
            runDecider.decide(
              {
                type: 'Enqueue',
                definition: def,
                runId: randomUUID(),
                trigger: 'manual',
                actor: ctx.actor,
                reason: body.reason,
                params,
                now: this.clock.now(),
                ...this.holdCheck(def, params, body.force, ctx),
              },
              null,
            ),
          );
          return { event: event as RunEnqueued, params };
        },
        apply: async (unit, { event, params }) => {
          const runId = event.data.runId;
          const key = idempotencyKey === undefined ? {} : { idempotencyKey };
          const replay = idempotencyKey === undefined ? null : await this.rt.queue.takeIdempotencyKey(unit.uow, name, idempotencyKey, runId);
          if (replay) {
            await unit.record('duplicate', { runId: replay.duplicateOf, params, ...key });
            return { runId: replay.duplicateOf, job: name, state: 'duplicate' as const };
          }
          await unit.record('applied', {
            runId,
            params,
            ...key,
            ...(event.data.forced ? { forced: true, hold: this.holdOf({ name, tenant: event.data.tenant }, {}) } : {}),
          });
          await this.rt.queue.enqueueIn(unit.uow, [{ event, metadata: unit.metadata }]);
          return { runId, job: name, state: 'pending' as const };
        },
      },
    );
  }

  async cancel(runId: string, reason: string, ctx: OperatorContext) {
    const cmd: RunStepCommand = { type: 'RequestCancel', actor: ctx.actor, reason, now: this.clock.now() };
    return this.audit.act(
      ctx,
      { action: 'run.cancel', target: `run:${runId}`, reason },
      {
        check: async () => {
          const current = await this.runFor(runId, ctx);
          eventsOrThrow(runDecider.decide(cmd, current.row));
          return current.row.job;
        },
        apply: async (unit, job) => {
          // Decided again under the run's row lock: if that refuses, the entry rolls back with it.
          await unit.record('applied', { job });
          const events = eventsOrThrow(
            (
              await this.rt.writer.actIn(
                unit.uow,
                [runId],
                (row) => runDecider.decide(cmd, row),
                () => unit.metadata,
              )
            ).get(runId)!,
          );
          return { runId, job, state: events.some((e) => e.type === 'RunCancelled') ? 'cancelled' : 'cancelling' };
        },
      },
      { conflictRetries: 3 },
    );
  }

  /** The hold part of an enqueue command: what holds the run, and whether an admin forces it through. */
  private holdCheck(def: { name: string; tenant: string | null }, params: Record<string, unknown>, force: boolean | undefined, ctx: OperatorContext) {
    return { hold: this.holdOf(def, params), force: force === true, actorIsAdmin: ctx.role === 'admin' };
  }

  async retry(runId: string, body: { reason: string; params?: Record<string, unknown>; force?: boolean }, ctx: OperatorContext) {
    return this.audit.act(
      ctx,
      { action: 'run.retry', target: `run:${runId}`, reason: body.reason },
      {
        check: async () => {
          const original = await this.runFor(runId, ctx);
          // A scoped caller retries only runs of its own jobs: a shared job's run could be re-aimed elsewhere by new params.
          if (ctx.tenant !== null) this.jobFor(original.row.job, ctx);
          const def = this.catalog.get(original.row.job) ?? null;
          // Adjusted params are checked against the job as defined now; the original's were checked when it was queued.
          const params = body.params === undefined || def === null ? body.params : validateRunParams(def, body.params);
          const [event] = eventsOrThrow(
            runDecider.decide(
              {
                type: 'Retry',
                definition: def,
                original: original.row,
                runId: randomUUID(),
                actor: ctx.actor,
                reason: body.reason,
                params,
                now: this.clock.now(),
                ...(def ? this.holdCheck(def, params ?? original.row.params, body.force, ctx) : {}),
              },
              null,
            ),
          );
          return { job: original.row.job, event: event as RunEnqueued };
        },
        apply: async (unit, { job, event }) => {
          await unit.record('applied', { job, newRunId: event.data.runId, params: event.data.params, ...(event.data.forced ? { forced: true } : {}) });
          await this.rt.queue.enqueueIn(unit.uow, [{ event, metadata: unit.metadata }]);
          return { runId: event.data.runId, retryOf: runId, job, state: 'pending' as const };
        },
      },
    );
  }

  /** Cluster housekeeping over every tenant's runs and workers: its route is installation-wide. */
  async janitor(ctx: OperatorContext, reason: string) {
    return this.audit.act(
      ctx,
      { action: 'system.janitor', target: 'queue', reason },
      {
        apply: async (unit) => {
          await unit.record('applied');
          return this.rt.janitor.run(this.rt.janitorRules, ctx.actor, unit.metadata, unit.uow);
        },
      },
      { conflictRetries: 3 },
    );
  }

  async failActive(ctx: OperatorContext, reason: string) {
    const failed = await this.audit.act(
      ctx,
      { action: 'system.fail_active', target: 'queue', reason },
      {
        apply: async (unit) => {
          await unit.record('applied');
          return this.rt.janitor.failAllActive(unit.uow, `failed by ${ctx.actor}: ${reason}`, unit.metadata, ctx.tenant);
        },
      },
      { conflictRetries: 3 },
    );
    this.log.warn({ event: 'background_job.fail_active', actor: ctx.actor, failed }, `${failed} active run(s) force-failed`);
    return { failed };
  }

  async cancelPending(ctx: OperatorContext, reason: string) {
    const cancelled = await this.audit.act(
      ctx,
      { action: 'system.cancel_pending', target: 'queue', reason },
      {
        apply: async (unit) => {
          await unit.record('applied');
          return this.rt.janitor.cancelAllPending(unit.uow, `cancelled by ${ctx.actor}: ${reason}`, unit.metadata, ctx.tenant);
        },
      },
      { conflictRetries: 3 },
    );
    this.log.warn({ event: 'background_job.cancel_pending', actor: ctx.actor, cancelled }, `${cancelled} pending run(s) cancelled`);
    return { cancelled };
  }
}
