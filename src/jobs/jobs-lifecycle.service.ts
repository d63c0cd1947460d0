import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '../audit/audit-recorder';
import { systemOperator } from '../audit/operator-context';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL } from '../database/database.module';
import { LeaderLock } from '../database/leader-lock';
import { LoopStateService } from '../database/loop-state.service';
import { LoopPauses } from '../pausing/loop-pauses.service';
import { Holds } from '../pausing/holds.service';
import { LOGGER } from '../shared/logger';
import { TimedLoop } from '../shared/timed-loop';
import { APP_VERSION } from '../shared/version';
import type { JobCatalog } from './definitions/job-catalog';
import { appendDefinitions, changeList, planDefinitions } from './definitions/reconcile-definitions';
import type { JobsRuntime } from './jobs-runtime';
import { JobsSignals } from './jobs-signals';
import { JOB_CATALOG, JOBS_RUNTIME } from './jobs.di';
import type { JobWorker } from './worker/job-worker';

const JANITOR_LOCK = 0x6a616e69; // "jani": one process runs the janitor

/**
 * Starts what this process runs: definitions are reconciled in every mode; the worker, the cron
 * ticker and the janitor run in modes all and worker. Each loop reports to loop_states, so ops
 * health shows `job-worker`, `cron` and `janitor` like the other loops.
 */
@Injectable()
export class JobsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: JobWorker | null = null;
  private readonly timed: TimedLoop[] = [];
  private readonly janitorLock: LeaderLock;

  constructor(
    @Inject(JOB_CATALOG) private readonly catalog: JobCatalog,
    @Inject(JOBS_RUNTIME) private readonly rt: JobsRuntime,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly loops: LoopStateService,
    private readonly signals: JobsSignals,
    private readonly audit: AuditRecorder,
    private readonly pauses: LoopPauses,
    private readonly holds: Holds,
  ) {
    this.janitorLock = new LeaderLock({ databaseUrl, key: JANITOR_LOCK, name: 'janitor', log });
  }

  currentWorker(): JobWorker | null {
    return this.worker;
  }

  async onApplicationBootstrap(): Promise<void> {
    // One unit: the `config.reconcile` entry and every definition change it causes, or nothing.
    await this.audit.act(
      systemOperator(randomUUID()),
      { action: 'config.reconcile', target: 'jobs', reason: `job definitions from OPSLEDGER_CONFIG ${this.config.core.configFile ?? '(none)'} and code` },
      {
        apply: async (unit) => {
          const plan = await planDefinitions(unit.uow, this.catalog.all());
          if (!plan.changes.length) return;
          await unit.record('applied', { changes: changeList(plan) });
          await appendDefinitions(unit.uow, plan, unit.metadata, this.log);
        },
      },
      { conflictRetries: 3 },
    );
    const mode = this.config.core.appMode;
    if (mode === 'server') return;
    const j = this.config.jobs;
    if (!j.runJobs) {
      // Said once, so ops health can tell "switched off" from "never started" or "died".
      await this.loops
        .report('job-worker', 'stopped', j.workerHeartbeatMs, { ran: true, detail: { role: 'disabled', reason: 'RUN_JOBS=false' } })
        .catch(() => undefined);
      this.log.warn({ event: 'worker.disabled' }, 'RUN_JOBS=false: this process runs no job worker, cron ticker or janitor');
      return;
    }
    if (j.workerConcurrency > 0) {
      this.worker = this.rt.newWorker(
        { mode, version: APP_VERSION },
        {
          onHeartbeat: async (state) => {
            await this.loops.report('job-worker', state, j.workerHeartbeatMs, {
              ran: true,
              detail: { workerId: this.worker?.id, running: this.worker?.running.length ?? 0 },
            });
            // Reaping is cheap (one indexed query when nobody is dead), so every heartbeat looks.
            await this.rt.reaper.reap(j.workerReapAfterMs, this.worker?.id ?? 'unknown');
          },
          onOutcome: (job, outcome, durationMs) => this.signals.recordOutcome(job, outcome, durationMs),
          paused: () => this.pauses.holds('job-worker') !== null,
          held: (jobs) => this.holds.claimFilter(jobs),
        },
      );
      await this.worker.start();
      await this.loops.report('job-worker', 'idle', j.workerHeartbeatMs, { detail: { workerId: this.worker.id } }).catch(() => undefined);
    }
    this.every('cron', j.cronTickMs, async () => {
      await this.rt.ticker.tick();
    });
    this.every(
      'janitor',
      j.janitorIntervalMs,
      async () => {
        if (await this.janitorLock.tryAcquire()) await this.rt.janitor.run(this.rt.janitorRules, 'janitor');
      },
      false,
    );
  }

  /** A timed loop that never overlaps itself and reports its state as `loop`. */
  private every(loop: string, ms: number, fn: () => Promise<void>, runNow = true): void {
    const timed = new TimedLoop({
      everyMs: ms,
      runNow,
      step: async () => {
        await this.loops.report(loop, 'working', ms).catch(() => undefined);
        await fn();
        await this.loops.report(loop, 'idle', ms, { ran: true }).catch(() => undefined);
      },
      onError: async (err) => {
        this.log.error({ event: `${loop === 'cron' ? 'background_job_cron' : 'background_job.janitor'}.failed`, err }, `${loop} loop failed`);
        await this.loops.report(loop, 'crashed', ms, { detail: { error: (err as Error).message } }).catch(() => undefined);
      },
    });
    this.timed.push(timed);
    timed.start();
    if (!runNow) void this.loops.report(loop, 'idle', ms).catch(() => undefined);
  }

  /** Before the pool closes: stop loops, let the worker finish or release its runs. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.timed.map((t) => t.stop()));
    await this.janitorLock.release();
    if (this.worker) {
      // Leave time for releasing runs and closing the pool within the process's shutdown budget.
      await this.worker.stop(Math.floor(this.config.core.shutdownTimeoutMs * 0.6));
      await this.loops.report('job-worker', 'stopped', this.config.jobs.workerHeartbeatMs).catch(() => undefined);
    }
    for (const loop of ['cron', 'janitor'])
      if (this.config.core.appMode !== 'server' && this.config.jobs.runJobs) await this.loops.report(loop, 'stopped', 0).catch(() => undefined);
  }
}
