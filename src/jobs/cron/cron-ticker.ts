import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { jobDefinitionsProjection } from '../../../projections/job-definitions/job-definitions.projection';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import type { PostgresEventStore } from '../../event-store/postgres/postgres-event-store';
import { applyEvents } from '../../projection-runner/apply-events';
import type { Clock } from '../../shared/clock';
import { isScheduled, JobDefinition } from '../definitions/job-definition';
import type { JobCatalog } from '../definitions/job-catalog';
import { decideEnqueue } from '../enqueue.decider';
import { jobDefStream, TickMissed } from '../events/job-definition.events';
import type { JobQueue } from '../queue/job-queue';
import { tickMissedEventId, tickRunId } from './deterministic-id';
import { planTicks } from './plan-ticks';

export interface CronTickerOptions {
  readonly missedGraceMs: number;
}

/**
 * Enqueues each due cron tick. Every process may run a ticker: a tick's run id is derived from the
 * job and the tick time, and its RunEnqueued is appended with `no_stream`, so only the first
 * process's append succeeds. TickMissed events have derived ids too (a repeat is idempotent).
 */
export class CronTicker {
  private readonly last = new Map<string, Date>();

  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly queue: JobQueue,
    private readonly catalog: JobCatalog,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: CronTickerOptions,
  ) {}

  /** Where each job's schedule resumes: its latest scheduled run, else when it was first defined, else now. */
  private async baseline(def: JobDefinition): Promise<Date> {
    const { rows } = await this.pool.query<{ last: Date | null; defined: string | null }>(
      `SELECT (SELECT max(ol_jobs_ts(doc->>'scheduledFor')) FROM rm_job_runs WHERE job = $1 AND doc->>'trigger' = 'schedule') AS last,
              (SELECT doc->>'changedAt' FROM rm_job_definitions WHERE key = $1) AS defined`,
      [def.name],
    );
    const r = rows[0];
    if (r.last) return r.last;
    return r.defined ? new Date(r.defined) : this.clock.now();
  }

  /** One pass over every scheduled job. Returns the run ids this process enqueued. */
  async tick(): Promise<string[]> {
    const now = this.clock.now();
    const enqueued: string[] = [];
    for (const def of this.catalog.all().filter(isScheduled)) {
      try {
        const last = this.last.get(def.name) ?? (await this.baseline(def));
        const plan = planTicks(def.schedule, def.timezone, last, now, this.opts.missedGraceMs, def.catchUp);
        const caughtUp = new Map<number, string | null>();
        for (const t of plan.catchUp) caughtUp.set(t.getTime(), await this.enqueueTick(def, t, now, enqueued));
        if (plan.missed.length) await this.recordMissed(def, plan.missed, caughtUp, now);
        for (const t of plan.due) await this.enqueueTick(def, t, now, enqueued);
        const all = [...plan.missed, ...plan.due];
        this.last.set(def.name, all.length ? all[all.length - 1] : last);
      } catch (err) {
        this.log.error({ event: 'background_job_cron.failed', job: def.name, err }, `cron tick for ${def.name} failed`);
      }
    }
    return enqueued;
  }

  private async enqueueTick(def: JobDefinition, tick: Date, now: Date, out: string[]): Promise<string | null> {
    const runId = tickRunId(def.name, tick);
    const d = decideEnqueue(def, { runId, trigger: 'schedule', actor: 'cron', reason: null, params: {}, now, scheduledFor: tick });
    if (!d.ok) return null;
    try {
      await this.queue.enqueue([{ event: d.events[0], metadata: { actor: 'cron', correlationId: runId } }]);
      out.push(runId);
      this.log.info({ event: 'background_job_cron.tick', job: def.name, tick: tick.toISOString(), runId }, `cron enqueued ${def.name}`);
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict)) throw err; // another process enqueued this tick
    }
    return runId;
  }

  private async recordMissed(def: JobDefinition, missed: Date[], caughtUp: Map<number, string | null>, now: Date): Promise<void> {
    const events = missed.map((t) => {
      const e: TickMissed = { type: 'TickMissed', data: { job: def.name, tick: t.toISOString(), detectedAt: now.toISOString(), policy: def.catchUp, caughtUpBy: caughtUp.get(t.getTime()) ?? null, ...(def.tenant ? { tenant: def.tenant } : {}) } };
      return { ...e, eventId: tickMissedEventId(def.name, t), metadata: { actor: 'cron' } };
    });
    // Outside a transaction so a concurrent identical append is an idempotent replay, not an abort.
    for (const e of events) {
      const res = await this.store.append(jobDefStream(def.name), [e], 'any');
      await applyEvents(this.pool, jobDefinitionsProjection, res.events);
    }
    this.log.warn({ event: 'background_job_cron.missed', job: def.name, missed: missed.length, first: missed[0].toISOString(), last: missed[missed.length - 1].toISOString(), policy: def.catchUp }, `${def.name} missed ${missed.length} tick(s)`);
  }
}
