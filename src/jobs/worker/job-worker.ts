import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { EgressFetch } from '../../egress/egress-fetch';
import type { EventStore } from '../../event-store/event-store.port';
import type { Clock } from '../../shared/clock';
import { LocalWaker } from '../../shared/waker';
import type { JobCatalog } from '../definitions/job-catalog';
import { WorkerStarted, workerStream, WorkerStopped } from '../events/worker.events';
import type { AbortReason, HandlerResult } from '../handlers/handler';
import { runHandler } from '../handlers/run-handler';
import type { JobQueue } from '../queue/job-queue';
import type { Outcome, RunStepCommand } from '../run.decider';
import type { RunEvent } from '../events/run.events';
import { JOBS_CHANNEL, RunWriter } from '../store/run-writer';
import type { ClaimedRun, HeldRuns } from '../queue/job-queue';
import { HeldRun, LocalQueue } from './local-queue';
import { ResultGroups } from './result-groups';
import { outcomeOf, WorkerLog } from './worker-log';

export interface JobWorkerOptions {
  readonly concurrency: number;
  readonly pollMs: number;
  readonly heartbeatMs: number;
  /** Most runs one claim takes when the local queue is off. */
  readonly claimBatch: number;
  /** Runs claimed ahead of free slots (0: off). */
  readonly localQueueSize: number;
  /** A held run not started within this is given back. */
  readonly localQueueTtlMs: number;
  /** How long a finished run waits for others to be written with it (0: until the next turn of the event loop). */
  readonly completeBatchMs: number;
  /** The reaper takes a worker's runs once its lease row is this old (WORKER_REAP_AFTER_MS). */
  readonly leaseMs: number;
  readonly logTailBytes: number;
  readonly killGraceMs: number;
  readonly mode: string;
  readonly version: string;
  /** Outbound HTTP through the egress policy, handed to http handlers. */
  readonly fetch: EgressFetch;
}

/** Optional hooks: loop-state reporting (ops health) and the reaper run on each heartbeat. */
export interface JobWorkerHooks {
  onHeartbeat?(state: 'idle' | 'working' | 'paused', worker: JobWorker): Promise<void>;
  /** An operator paused every job worker: claim nothing (runs in flight finish). */
  paused?(): boolean;
  /** What the hold check keeps waiting now among `jobs` (a paused job, a paused tenant's runs): not claimed. */
  held?(jobs: readonly string[]): HeldRuns;
  /** Each attempt result this worker recorded (metrics): terminal outcomes, or `retried`. */
  onOutcome?(job: string, outcome: 'succeeded' | 'failed' | 'retried' | 'cancelled' | 'expired', durationMs: number | null): void;
}

interface InFlight {
  readonly run: HeldRun;
  readonly startedAt: number;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Claims runs from the queue and executes them, up to `concurrency` at once; with a local queue it
 * claims up to `localQueueSize` more ahead and starts them as slots free up. Results are written in
 * groups: whatever finished meanwhile goes in one transaction (one append, each run at the revision
 * its claim left, and one statement for the queue rows). A heartbeat keeps the worker's lease row
 * fresh; graceful stop gives held runs back, finishes in-flight runs within the deadline and
 * releases the rest.
 */
export class JobWorker {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  processed = 0;
  failed = 0;
  private readonly inflight = new Map<string, InFlight>();
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  /** Latched: an enqueue or a free slot that arrives while claiming makes the next sleep return at once. */
  private readonly waker = new LocalWaker({ latch: true });
  private heartbeatTimer?: NodeJS.Timeout;
  private cancelTimer?: NodeJS.Timeout;
  private listener: PoolClient | null = null;
  private readonly results: ResultGroups;
  private readonly released = new Set<string>();
  private jobs: string[] = [];
  private readonly local: LocalQueue;
  private readonly wlog: WorkerLog;
  /** Date.now() when the last lease renewal that succeeded was sent: the reaper cannot take this worker's runs before this + leaseMs. */
  private leaseRenewedAt = 0;
  /** A rejoin in progress: two heartbeats that both find the lease row gone take one new lease. */
  private rejoining: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly writer: RunWriter,
    private readonly queue: JobQueue,
    private readonly catalog: JobCatalog,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly opts: JobWorkerOptions,
    private readonly hooks: JobWorkerHooks = {},
  ) {
    this.local = new LocalQueue(opts.localQueueSize, opts.localQueueTtlMs);
    this.wlog = new WorkerLog(log, this.id);
    this.results = new ResultGroups(
      writer,
      this.wlog,
      log,
      { workerId: this.id, completeBatchMs: opts.completeBatchMs, retryMs: Math.min(1000, opts.pollMs) },
      (job, events) => this.reportOutcome(job, events),
    );
  }

  get running(): readonly { runId: string; job: string; startedAt: number }[] {
    return [...this.inflight].map(([runId, f]) => ({ runId, job: f.run.row.job, startedAt: f.startedAt }));
  }

  /** Runs claimed and held, not started yet. */
  get held(): number {
    return this.local.length;
  }

  private leaseUntil(): number {
    return this.leaseRenewedAt + this.opts.leaseMs;
  }

  async start(): Promise<void> {
    await this.register('no_stream');
    this.log.info({ event: 'worker.started', workerId: this.id, concurrency: this.opts.concurrency }, `job worker ${this.id} started`);
    await this.listen();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.opts.heartbeatMs);
    this.cancelTimer = setInterval(
      () => {
        this.giveBackOverdue();
        void this.checkCancels();
      },
      Math.max(50, this.opts.pollMs),
    );
    this.jobs = this.catalog.runnable();
    this.loopDone = this.loop();
  }

  /** Writes the lease row and records WorkerStarted: the worker holds a lease from here. */
  private async register(expected: 'no_stream' | 'any'): Promise<void> {
    const now = this.clock.now();
    const renewing = Date.now();
    await this.pool.query(
      `INSERT INTO job_workers (id, host, pid, mode, version, concurrency, started_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6, now(), now())`,
      [this.id, hostname(), process.pid, this.opts.mode, this.opts.version, this.opts.concurrency],
    );
    this.leaseRenewedAt = renewing;
    const started: WorkerStarted = {
      type: 'WorkerStarted',
      data: {
        workerId: this.id,
        host: hostname(),
        pid: process.pid,
        mode: this.opts.mode,
        version: this.opts.version,
        concurrency: this.opts.concurrency,
        at: now.toISOString(),
      },
    };
    await this.store.append(workerStream(this.id), [{ ...started, metadata: { actor: `worker:${this.id}` } }], expected);
  }

  /**
   * The heartbeat found no lease row: another process reaped this worker while it was alive (a
   * pause longer than WORKER_REAP_AFTER_MS). Its runs were taken back, held ones too, so it drops
   * those and takes a new lease; without one, runs it claimed would be invisible to every reaper.
   */
  private async rejoin(): Promise<void> {
    const dropped = this.local.drain();
    await this.register('any');
    this.log.warn(
      { event: 'worker.rejoined', workerId: this.id, droppedHeld: dropped.length, inFlight: this.inflight.size },
      `job worker ${this.id} was reaped while alive; it dropped ${dropped.length} held run(s) and took a new lease`,
    );
  }

  /** LISTEN on a dedicated connection: an enqueue wakes an idle worker at once. */
  private async listen(): Promise<void> {
    try {
      this.listener = await this.pool.connect();
      this.listener.on('notification', () => this.wake());
      this.listener.on('error', () => undefined);
      await this.listener.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (err) {
      this.log.warn({ event: 'worker.listen_failed', err }, 'cannot LISTEN for enqueues; polling only');
    }
  }

  private wake(): void {
    this.waker.wake();
  }

  private free(): number {
    return this.opts.concurrency - this.inflight.size;
  }

  private async loop(): Promise<void> {
    const jobs = this.jobs;
    while (!this.stopping) {
      if (this.hooks.paused?.()) {
        await this.waker.wait(this.opts.pollMs);
        continue;
      }
      this.startHeld();
      // A worker whose lease may have lapsed claims nothing: the reaper could take the runs from under it.
      const want = Date.now() < this.leaseUntil() ? this.local.wanted(this.free(), this.opts.claimBatch, this.opts.concurrency) : 0;
      let full = false;
      if (want > 0) {
        try {
          const claimed = await this.queue.claim(this.id, jobs, want, this.clock.now(), this.hooks.held?.(jobs));
          if (claimed.length) this.wlog.claimed(claimed, want);
          this.onClaimed(claimed);
          full = claimed.length === want;
        } catch (err) {
          if (this.stopping) break;
          this.log.error({ event: 'worker.claim_failed', workerId: this.id, err }, 'claim failed');
        }
      }
      if (this.stopping) break;
      this.startHeld();
      // More may be ready right away; otherwise wait for an enqueue, a free slot, or the poll.
      if (!full || this.local.wanted(this.free(), this.opts.claimBatch, this.opts.concurrency) === 0) await this.waker.wait(this.opts.pollMs);
    }
  }

  /** Runs a claim took: held, then started as slots allow (per-claim logging belongs here). */
  private onClaimed(claimed: readonly ClaimedRun[]): void {
    const heldSince = Date.now();
    this.local.hold(claimed.map((c) => ({ runId: c.runId, row: c.row, revision: c.revision, heldSince })));
  }

  /** Fills free slots from the held runs; those that may no longer start go back unstarted. */
  private startHeld(): void {
    if (this.stopping) return;
    const { start, giveBack } = this.local.take(this.free(), Date.now(), this.leaseUntil());
    for (const run of start) this.execute(run);
    this.giveBack(giveBack, 'not started in time');
  }

  /** Held runs past their time in the local queue, or held while the lease may have lapsed. */
  private giveBackOverdue(): void {
    this.giveBack(this.local.overdue(Date.now(), this.leaseUntil()), 'not started in time');
  }

  /**
   * Gives held runs back unstarted: RunAbandoned + RetryScheduled with the same attempt (the
   * attempt is not counted), written with the next group. If the reaper took them first, the
   * write is refused and nothing else happens: they were never started here.
   */
  private giveBack(runs: readonly HeldRun[], why: string): void {
    if (!runs.length) return;
    const now = this.clock.now();
    this.results.push(
      ...runs.map((run) => ({
        run,
        kind: 'return' as const,
        cmd: {
          type: 'Abandon' as const,
          workerId: this.id,
          reason: `${why}: given back from the local queue of worker ${this.id}`,
          now,
          countsAsAttempt: false,
        },
      })),
    );
    this.log.info(
      { event: 'worker.runs_given_back', workerId: this.id, runs: runs.length, reason: why },
      `${runs.length} held run(s) given back unstarted (${why})`,
    );
  }

  private execute(run: HeldRun): void {
    const { runId, row } = run;
    const def = this.catalog.get(row.job);
    const abort = new AbortController();
    const startedAt = Date.now();
    const timer = setTimeout(() => abort.abort('timeout' satisfies AbortReason), row.timeoutMs);
    const done = (async () => {
      let result: HandlerResult;
      if (!def) result = { ok: false, exitCode: null, logTail: '', error: `job "${row.job}" is not defined in this process` };
      else
        result = await runHandler(def, this.catalog.handlers, {
          runId,
          job: row.job,
          attempt: row.attempt,
          params: row.params,
          signal: abort.signal,
          logTailBytes: this.opts.logTailBytes,
          killGraceMs: this.opts.killGraceMs,
          fetch: this.opts.fetch,
        });
      clearTimeout(timer);
      const finishedAt = this.clock.now();
      const outcome: Outcome = {
        finishedAt: finishedAt.toISOString(),
        durationMs: Date.now() - startedAt,
        exitCode: result.exitCode,
        logTail: result.logTail,
        error: result.error,
        ...(result.errorKind ? { errorKind: result.errorKind } : {}),
      };
      const reason = abort.signal.aborted ? (abort.signal.reason as AbortReason) : null;
      let cmd: RunStepCommand;
      if (reason === 'shutdown') cmd = { type: 'Abandon', workerId: this.id, reason: 'worker shutting down', now: finishedAt, countsAsAttempt: false };
      else if (result.ok) cmd = { type: 'Succeed', workerId: this.id, attempt: row.attempt, outcome };
      else if (reason === 'cancel') cmd = { type: 'ConfirmCancel', workerId: this.id, attempt: row.attempt, outcome };
      else cmd = { type: 'Fail', workerId: this.id, attempt: row.attempt, outcome };
      if (reason === 'shutdown') this.released.add(runId);
      else {
        this.processed++;
        if (!result.ok) this.failed++;
      }
      this.results.push({ run, kind: 'result', cmd });
      this.inflight.delete(runId);
      this.startHeld();
      this.wake();
    })();
    this.inflight.set(runId, { run, startedAt, abort, done });
  }

  private reportOutcome(job: string, events: readonly RunEvent[]): void {
    const o = this.hooks.onOutcome && outcomeOf(events);
    if (o) this.hooks.onOutcome!(job, o.outcome, o.durationMs);
  }

  private async checkCancels(): Promise<void> {
    if (!this.inflight.size && !this.local.length) return;
    try {
      const { rows } = await this.pool.query<{ key: string }>(`SELECT key FROM rm_job_queue WHERE key = ANY($1::text[]) AND state = 'cancelling'`, [
        [...this.inflight.keys(), ...this.local.runIds()],
      ]);
      // A held run someone asked to cancel is cancelled without starting.
      const now = this.clock.now();
      for (const run of this.local.remove(new Set(rows.map((r) => r.key)))) {
        this.log.info({ event: 'background_job.cancelling', runId: run.runId, workerId: this.id }, `cancelling ${run.runId} (not started)`);
        this.results.push({
          run,
          kind: 'result',
          cmd: {
            type: 'ConfirmCancel',
            workerId: this.id,
            attempt: run.row.attempt,
            outcome: { finishedAt: now.toISOString(), durationMs: 0, exitCode: null, logTail: '', error: null },
          },
        });
      }
      for (const r of rows) {
        const f = this.inflight.get(r.key);
        if (f && !f.abort.signal.aborted) {
          this.log.info({ event: 'background_job.cancelling', runId: r.key, workerId: this.id }, `cancelling ${r.key}`);
          f.abort.abort('cancel' satisfies AbortReason);
        }
      }
    } catch {
      /* next tick */
    }
  }

  async heartbeat(): Promise<void> {
    const renewing = Date.now();
    try {
      const renewed = await this.pool.query(`UPDATE job_workers SET last_seen = now(), processed = $2, failed = $3, current = $4 WHERE id = $1`, [
        this.id,
        this.processed,
        this.failed,
        JSON.stringify(this.running.map((r) => ({ runId: r.runId, job: r.job, startedAt: new Date(r.startedAt).toISOString() }))),
      ]);
      if (renewed.rowCount) this.leaseRenewedAt = renewing;
      else if (!this.stopping) await (this.rejoining ??= this.rejoin().finally(() => (this.rejoining = null)));
      await this.hooks.onHeartbeat?.(this.hooks.paused?.() ? 'paused' : this.inflight.size ? 'working' : 'idle', this);
    } catch (err) {
      if (!this.stopping) this.log.warn({ event: 'worker.heartbeat_failed', workerId: this.id, err }, 'heartbeat failed');
    }
  }

  /**
   * Stops claiming, gives held runs back, lets in-flight runs finish until `deadlineMs`, then
   * aborts the rest and gives them back to the queue (RunAbandoned + RetryScheduled with the same
   * attempt). Records WorkerStopped.
   */
  async stop(deadlineMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.cancelTimer);
    this.wake();
    await this.loopDone;
    const held = this.local.drain();
    for (const run of held) this.released.add(run.runId);
    this.giveBack(held, 'worker shutting down');
    const all = Promise.all([...this.inflight.values()].map((f) => f.done));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), deadlineMs).unref())]);
    if (timedOut) {
      for (const f of this.inflight.values()) f.abort.abort('shutdown' satisfies AbortReason);
      await all;
    }
    await this.results.drain();
    const stopped: WorkerStopped = {
      type: 'WorkerStopped',
      data: { workerId: this.id, at: this.clock.now().toISOString(), processed: this.processed, failed: this.failed, released: [...this.released] },
    };
    try {
      await this.store.append(workerStream(this.id), [{ ...stopped, metadata: { actor: `worker:${this.id}` } }], 'any');
      await this.pool.query(`UPDATE job_workers SET stopped_at = now(), last_seen = now(), processed = $2, failed = $3, current = '[]' WHERE id = $1`, [
        this.id,
        this.processed,
        this.failed,
      ]);
    } catch (err) {
      this.log.warn({ event: 'worker.stop_record_failed', err }, 'could not record the worker stop');
    }
    if (this.listener) {
      this.listener.removeAllListeners('notification');
      await this.listener.query(`UNLISTEN ${JOBS_CHANNEL}`).catch(() => undefined);
      this.listener.release();
      this.listener = null;
    }
    this.log.info({ event: 'worker.stopped', workerId: this.id, processed: this.processed, released: this.released.size }, `job worker ${this.id} stopped`);
  }
}
