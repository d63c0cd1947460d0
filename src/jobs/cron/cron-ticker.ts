import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { EventStore } from '../../event-store/event-store.port';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import type { Clock } from '../../shared/clock';
import { isRejection } from '../../shared/decider';
import { isScheduled, JobDefinition } from '../events/job-definition';
import type { JobCatalog } from '../definitions/job-catalog';
import { jobDefStream, TickMissed, TickSkipped } from '../events/job-definition.events';
import type { Hold, JobSubject } from '../../pausing/holds';
import { RunEnqueued, runStream } from '../events/run.events';
import type { JobQueue } from '../queue/job-queue';
import { runDecider } from '../run.decider';
import { tickMissedEventId, tickRunId, tickSkippedEventId } from './deterministic-id';
import { planTicks } from './plan-ticks';

export interface CronTickerOptions {
  readonly missedGraceMs: number;
  /** The hold check (src/pausing/holds.ts): a tick of a held job is recorded as skipped, not run, not missed. */
  readonly holdFor?: (subject: JobSubject, at: Date) => Hold | null;
}

/**
 * Enqueues each due cron tick. Every process may run a ticker: a tick's run id is derived from the
 * job and the tick time, and its RunEnqueued is appended with `no_stream`, so only the first
 * process's append succeeds. TickMissed and TickSkipped events have derived ids too, and a tick is
 * decided under its own lock, so each tick is exactly one of enqueued, missed or skipped. A tick
 * is skipped when the hold check holds the job at the tick's instant (a pause of the job or of its
 * tenant's jobs): TickSkipped names the hold, and the tick is neither run nor counted as missed.
 */
export class CronTicker {
  private readonly last = new Map<string, Date>();

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly queue: JobQueue,
    private readonly catalog: JobCatalog,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: CronTickerOptions,
  ) {}

  /** Where each job's schedule resumes: its latest scheduled run, else when it was first defined, else now. */
  private async baseline(def: JobDefinition): Promise<Date> {
    const { rows } = await this.pool.query<{ last: Date | null; defined: string | null; skipped: string | null }>(
      `SELECT (SELECT max(ol_jobs_ts(doc->>'scheduledFor')) FROM rm_job_runs WHERE job = $1 AND doc->>'trigger' = 'schedule') AS last,
              (SELECT doc->>'changedAt' FROM rm_job_definitions WHERE key = $1) AS defined,
              (SELECT doc->>'lastSkippedTick' FROM rm_job_definitions WHERE key = $1) AS skipped`,
      [def.name],
    );
    const r = rows[0];
    const skipped = r.skipped ? new Date(r.skipped) : null;
    if (r.last || skipped) return new Date(Math.max(r.last?.getTime() ?? 0, skipped?.getTime() ?? 0));
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
        const catchUp = new Set(plan.catchUp.map((t) => t.getTime()));
        const missed: Date[] = [];
        for (const t of plan.missed) {
          if (await this.skipIfHeld(def, t, now)) continue;
          if (await this.recordIfMissed(def, t, catchUp.has(t.getTime()), now, enqueued)) missed.push(t);
        }
        if (missed.length) {
          this.log.warn(
            {
              event: 'background_job_cron.missed',
              job: def.name,
              missed: missed.length,
              first: missed[0].toISOString(),
              last: missed[missed.length - 1].toISOString(),
              policy: def.catchUp,
            },
            `${def.name} missed ${missed.length} tick(s)`,
          );
        }
        for (const t of plan.due) if (!(await this.skipIfHeld(def, t, now))) await this.enqueueDue(def, t, now, enqueued);
        const all = [...plan.missed, ...plan.due];
        this.last.set(def.name, all.length ? all[all.length - 1] : last);
      } catch (err) {
        this.log.error({ event: 'background_job_cron.failed', job: def.name, err }, `cron tick for ${def.name} failed`);
      }
    }
    return enqueued;
  }

  /**
   * Each process decides about a tick under the tick's own lock (a transaction-level advisory
   * lock, held while the decision is written), so "enqueued" and "missed" are never both recorded:
   * whichever process comes second sees what the first one wrote.
   */
  private async underTickLock<T>(def: JobDefinition, tick: Date, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.store.transact(async (uow) => {
      await sqlOf(uow).query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`opsledger.cron:${def.name}@${tick.toISOString()}`]);
      return work(uow);
    });
  }

  /**
   * A tick at which the job was held is recorded as skipped (once: its event id is derived, and it
   * is decided under the tick's lock), unless it was enqueued or found missed already. True when
   * the tick is held, whoever recorded it.
   */
  private async skipIfHeld(def: JobDefinition, tick: Date, now: Date): Promise<boolean> {
    const hold = this.opts.holdFor?.({ tenant: def.tenant, job: def.name }, tick) ?? null;
    if (!hold) return false;
    const eventId = tickSkippedEventId(def.name, tick);
    return this.underTickLock(def, tick, async (uow) => {
      if ((await uow.readStream(runStream(tickRunId(def.name, tick)), { maxCount: 1 })).length) return false;
      if ((await uow.readEvents([eventId, tickMissedEventId(def.name, tick)])).length) return true;
      const e: TickSkipped = {
        type: 'TickSkipped',
        data: {
          job: def.name,
          tick: tick.toISOString(),
          detectedAt: now.toISOString(),
          hold: { source: hold.source, scope: hold.scope, subject: hold.subject, reason: hold.reason, by: hold.by, until: hold.until },
          ...(def.tenant ? { tenant: def.tenant } : {}),
        },
      };
      await uow.append(jobDefStream(def.name), [{ ...e, eventId, metadata: { actor: 'cron' } }], 'any');
      return true;
    });
  }

  /** A due tick is enqueued unless another process, slower to come round, found it missed or skipped first. */
  private async enqueueDue(def: JobDefinition, tick: Date, now: Date, out: string[]): Promise<void> {
    await this.underTickLock(def, tick, async (uow) => {
      if ((await uow.readEvents([tickMissedEventId(def.name, tick), tickSkippedEventId(def.name, tick)])).length) return;
      await this.enqueue(def, tick, now, out);
    });
  }

  /**
   * A tick older than the grace is missed only when no process enqueued it (`last` may lag: a
   * fresh process reads it from a projection). TickMissed commits with its inline row (the
   * store applies it in the unit: applied apart, a later TickMissed of another process could
   * reach the row first and this one would be skipped as seen); the catch-up run is enqueued after
   * the append and before the commit, so "caught up by" never names a run that is not there. A
   * concurrent append to the job's stream aborts the unit: try again.
   */
  private async recordIfMissed(def: JobDefinition, tick: Date, catchUp: boolean, now: Date, out: string[]): Promise<boolean> {
    const runId = tickRunId(def.name, tick);
    const eventId = tickMissedEventId(def.name, tick);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.underTickLock(def, tick, async (uow) => {
          const ran = await uow.readStream(runStream(runId), { maxCount: 1 });
          if (ran.length || (await uow.readEvents([eventId, tickSkippedEventId(def.name, tick)])).length) return false;
          const e: TickMissed = {
            type: 'TickMissed',
            data: {
              job: def.name,
              tick: tick.toISOString(),
              detectedAt: now.toISOString(),
              policy: def.catchUp,
              caughtUpBy: catchUp ? runId : null,
              ...(def.tenant ? { tenant: def.tenant } : {}),
            },
          };
          await uow.append(jobDefStream(def.name), [{ ...e, eventId, metadata: { actor: 'cron' } }], 'any');
          if (catchUp) await this.enqueue(def, tick, now, out);
          return true;
        });
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= 20) throw err;
      }
    }
  }

  private async enqueue(def: JobDefinition, tick: Date, now: Date, out: string[]): Promise<void> {
    const runId = tickRunId(def.name, tick);
    const d = runDecider.decide(
      { type: 'Enqueue', definition: def, runId, trigger: 'schedule', actor: 'cron', reason: null, params: {}, now, scheduledFor: tick },
      null,
    );
    if (isRejection(d)) return;
    try {
      await this.queue.enqueue([{ event: d[0] as RunEnqueued, metadata: { actor: 'cron', correlationId: runId } }]);
      out.push(runId);
      this.log.info({ event: 'background_job_cron.tick', job: def.name, tick: tick.toISOString(), runId }, `cron enqueued ${def.name}`);
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict)) throw err; // another process enqueued this tick
    }
  }
}
