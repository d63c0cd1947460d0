import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { QueueRow } from '../../../projections/job-queue/job-queue.projection';
import type { EgressFetch } from '../../egress/egress-fetch';
import type { EventStore } from '../../event-store/event-store.port';
import type { Clock } from '../../shared/clock';
import { LocalWaker } from '../../shared/waker';
import type { JobCatalog } from '../definitions/job-catalog';
import { WorkerStarted, workerStream, WorkerStopped } from '../events/worker.events';
import type { AbortReason, HandlerResult } from '../handlers/handler';
import { runHandler } from '../handlers/run-handler';
import type { JobQueue } from '../queue/job-queue';
import { Decision, isRejection } from '../../shared/decider';
import { Outcome, runDecider, RunStepCommand } from '../run.decider';
import type { RunEvent } from '../events/run.events';
import { JOBS_CHANNEL, RunWriter } from '../store/run-writer';

export interface JobWorkerOptions {
  readonly concurrency: number;
  readonly pollMs: number;
  readonly heartbeatMs: number;
  readonly claimBatch: number;
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
  /** Each attempt result this worker recorded (metrics): terminal outcomes, or `retried`. */
  onOutcome?(job: string, outcome: 'succeeded' | 'failed' | 'retried' | 'cancelled' | 'expired', durationMs: number | null): void;
}

interface InFlight {
  readonly row: QueueRow;
  readonly startedAt: number;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Claims runs from the queue and executes them, up to `concurrency` at once. Results are written
 * in batches (one transaction per batch of finished runs). A heartbeat keeps the worker's lease row
 * fresh; graceful stop finishes in-flight runs within the deadline and releases the rest.
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
  private readonly pending: { runId: string; job: string; cmd: RunStepCommand }[] = [];
  private flushing: Promise<void> | null = null;
  private readonly released = new Set<string>();
  private reserved = 0;
  private jobs: string[] = [];

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
  ) {}

  get running(): readonly { runId: string; job: string; startedAt: number }[] {
    return [...this.inflight].map(([runId, f]) => ({ runId, job: f.row.job, startedAt: f.startedAt }));
  }

  async start(): Promise<void> {
    const now = this.clock.now();
    await this.pool.query(
      `INSERT INTO job_workers (id, host, pid, mode, version, concurrency, started_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6, now(), now())`,
      [this.id, hostname(), process.pid, this.opts.mode, this.opts.version, this.opts.concurrency],
    );
    const started: WorkerStarted = { type: 'WorkerStarted', data: { workerId: this.id, host: hostname(), pid: process.pid, mode: this.opts.mode, version: this.opts.version, concurrency: this.opts.concurrency, at: now.toISOString() } };
    await this.store.append(workerStream(this.id), [{ ...started, metadata: { actor: `worker:${this.id}` } }], 'no_stream');
    this.log.info({ event: 'worker.started', workerId: this.id, concurrency: this.opts.concurrency }, `job worker ${this.id} started`);
    await this.listen();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.opts.heartbeatMs);
    this.cancelTimer = setInterval(() => void this.checkCancels(), Math.max(50, this.opts.pollMs));
    this.jobs = this.catalog.runnable();
    this.loopDone = this.loop();
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

  /** Slots neither running nor reserved by a claim in flight. */
  private free(): number {
    return this.opts.concurrency - this.inflight.size - this.reserved;
  }

  private async loop(): Promise<void> {
    const jobs = this.jobs;
    while (!this.stopping) {
      if (this.hooks.paused?.()) {
        await this.waker.wait(this.opts.pollMs);
        continue;
      }
      const want = Math.min(this.free(), this.opts.claimBatch);
      let full = false;
      if (want > 0) {
        this.reserved += want;
        try {
          const claimed = await this.queue.claim(this.id, jobs, want, this.clock.now());
          if (claimed.length) this.logClaimed(claimed, want);
          for (const c of claimed) this.execute(c.runId, c.row);
          full = claimed.length === want;
        } catch (err) {
          if (this.stopping) break;
          this.log.error({ event: 'worker.claim_failed', workerId: this.id, err }, 'claim failed');
        } finally {
          this.reserved -= want;
        }
      }
      if (this.stopping) break;
      // More may be ready right away; otherwise wait for an enqueue, a free slot, or the poll.
      if (!full || this.inflight.size >= this.opts.concurrency) await this.waker.wait(this.opts.pollMs);
    }
  }

  private execute(runId: string, row: QueueRow): void {
    const def = this.catalog.get(row.job);
    const abort = new AbortController();
    const startedAt = Date.now();
    const timer = setTimeout(() => abort.abort('timeout' satisfies AbortReason), row.timeoutMs);
    const done = (async () => {
      let result: HandlerResult;
      if (!def) result = { ok: false, exitCode: null, logTail: '', error: `job "${row.job}" is not defined in this process` };
      else result = await runHandler(def, this.catalog.handlers, { runId, job: row.job, attempt: row.attempt, params: row.params, signal: abort.signal, logTailBytes: this.opts.logTailBytes, killGraceMs: this.opts.killGraceMs, fetch: this.opts.fetch });
      clearTimeout(timer);
      const finishedAt = this.clock.now();
      const outcome: Outcome = { finishedAt: finishedAt.toISOString(), durationMs: Date.now() - startedAt, exitCode: result.exitCode, logTail: result.logTail, error: result.error, ...(result.errorKind ? { errorKind: result.errorKind } : {}) };
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
      this.pending.push({ runId, job: row.job, cmd });
      this.inflight.delete(runId);
      this.scheduleFlush();
      this.wake();
    })();
    this.inflight.set(runId, { row, startedAt, abort, done });
  }

  /** Finished runs are written together: one transaction for whatever finished meanwhile. */
  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.pending.length) {
        const batch = this.pending.splice(0, 200);
        const cmds = new Map(batch.map((b) => [b.runId, b.cmd]));
        try {
          const started = Date.now();
          // Separate from claiming on purpose: the loop's claim and this write overlap on two
          // connections; one combined transaction measured ~30 % slower.
          const decisions = await this.writer.act([...cmds.keys()], (row, id) => runDecider.decide(cmds.get(id)!, row), () => ({ actor: `worker:${this.id}` }));
          this.logDecisions(decisions, new Map(batch.map((b) => [b.runId, b.job])));
          this.logFinished(decisions, Date.now() - started);
        } catch (err) {
          this.log.error({ event: 'worker.complete_failed', workerId: this.id, runs: batch.length, err }, 'could not record run results; retrying');
          this.pending.unshift(...batch);
          await new Promise((r) => setTimeout(r, Math.min(1000, this.opts.pollMs)));
        }
      }
    })().finally(() => {
      this.flushing = null;
      if (this.pending.length) this.scheduleFlush();
    });
  }

  /** One line per claim transaction that took work: did the worker claim, and what. */
  private logClaimed(claimed: readonly { runId: string; row: QueueRow }[], wanted: number): void {
    const jobs: Record<string, number> = {};
    for (const c of claimed) jobs[c.row.job] = (jobs[c.row.job] ?? 0) + 1;
    this.log.info(
      { event: 'background_job_batch.claimed', workerId: this.id, count: claimed.length, wanted, jobs, runs: claimed.map((c) => ({ runId: c.runId, job: c.row.job, attempt: c.row.attempt })) },
      `claimed ${claimed.length} run(s)`,
    );
  }

  /** One line per written batch of results: how each run ended, and how long the write took. */
  private logFinished(decisions: Map<string, Decision<RunEvent>>, writeMs: number): void {
    const counts = { succeeded: 0, failed: 0, retrying: 0, deadLettered: 0, cancelled: 0, released: 0, discarded: 0 };
    for (const d of decisions.values()) {
      if (isRejection(d)) {
        counts.discarded++;
        continue;
      }
      const types = new Set(d.map((e) => e.type));
      if (types.has('RunSucceeded')) counts.succeeded++;
      else if (types.has('RunCancelled')) counts.cancelled++;
      else if (types.has('RunAbandoned')) counts.released++;
      else if (types.has('RunDeadLettered')) counts.deadLettered++;
      else if (types.has('RetryScheduled')) counts.retrying++;
      if (types.has('RunFailed')) counts.failed++;
    }
    this.log.info({ event: 'background_job_batch.finished', workerId: this.id, count: decisions.size, ...counts, writeMs }, `recorded ${decisions.size} run result(s)`);
  }

  private logDecisions(decisions: Map<string, Decision<RunEvent>>, jobs: ReadonlyMap<string, string>): void {
    for (const [runId, d] of decisions) {
      if (isRejection(d)) {
        this.log.warn({ event: 'background_job.result_discarded', runId, workerId: this.id, reason: d.reason }, `result of ${runId} discarded: ${d.reason}`);
        continue;
      }
      this.reportOutcome(jobs.get(runId) ?? 'unknown', d);
      for (const e of d) {
        if (e.type === 'RetryScheduled') this.log.warn({ event: 'background_job.retrying', runId, attempt: e.data.attempt, readyAt: e.data.readyAt }, `run ${runId} will retry`);
        if (e.type === 'RunDeadLettered') this.log.error({ event: 'background_job.dead_letter', runId, attempts: e.data.attempts, reason: e.data.reason }, `run ${runId} dead-lettered`);
        if (e.type === 'RunFailed') this.log.warn({ event: 'background_job.failed', runId, error: e.data.error, ...(e.data.errorKind ? { errorKind: e.data.errorKind } : {}), exitCode: e.data.exitCode, durationMs: e.data.durationMs }, `run ${runId} failed`);
      }
    }
  }

  private reportOutcome(job: string, events: readonly RunEvent[]): void {
    if (!this.hooks.onOutcome) return;
    const result = events.find((e) => e.type === 'RunSucceeded' || e.type === 'RunFailed');
    const durationMs = result && (result.type === 'RunSucceeded' || result.type === 'RunFailed') ? result.data.durationMs : null;
    const types = new Set(events.map((e) => e.type));
    const outcome = types.has('RunSucceeded') ? 'succeeded' : types.has('RunDeadLettered') ? 'failed' : types.has('RunCancelled') ? 'cancelled' : types.has('RetryScheduled') && types.has('RunFailed') ? 'retried' : null;
    // A graceful release (RunAbandoned + RetryScheduled) is not a result.
    if (outcome) this.hooks.onOutcome(job, outcome, durationMs ?? (events.find((e) => e.type === 'RunCancelled')?.data as { durationMs?: number | null } | undefined)?.durationMs ?? null);
  }

  private async checkCancels(): Promise<void> {
    if (!this.inflight.size) return;
    try {
      const { rows } = await this.pool.query<{ key: string }>(`SELECT key FROM rm_job_queue WHERE key = ANY($1::text[]) AND state = 'cancelling'`, [[...this.inflight.keys()]]);
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
    try {
      await this.pool.query(`UPDATE job_workers SET last_seen = now(), processed = $2, failed = $3, current = $4 WHERE id = $1`, [
        this.id,
        this.processed,
        this.failed,
        JSON.stringify(this.running.map((r) => ({ runId: r.runId, job: r.job, startedAt: new Date(r.startedAt).toISOString() }))),
      ]);
      await this.hooks.onHeartbeat?.(this.hooks.paused?.() ? 'paused' : this.inflight.size ? 'working' : 'idle', this);
    } catch (err) {
      if (!this.stopping) this.log.warn({ event: 'worker.heartbeat_failed', workerId: this.id, err }, 'heartbeat failed');
    }
  }

  /**
   * Stops claiming, lets in-flight runs finish until `deadlineMs`, then aborts the rest and gives
   * them back to the queue (RunAbandoned + RetryScheduled with the same attempt). Records WorkerStopped.
   */
  async stop(deadlineMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.cancelTimer);
    this.wake();
    await this.loopDone;
    const all = Promise.all([...this.inflight.values()].map((f) => f.done));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), deadlineMs).unref())]);
    if (timedOut) {
      for (const f of this.inflight.values()) f.abort.abort('shutdown' satisfies AbortReason);
      await all;
    }
    while (this.flushing || this.pending.length) {
      if (!this.flushing) this.scheduleFlush();
      await this.flushing;
    }
    const stopped: WorkerStopped = { type: 'WorkerStopped', data: { workerId: this.id, at: this.clock.now().toISOString(), processed: this.processed, failed: this.failed, released: [...this.released] } };
    try {
      await this.store.append(workerStream(this.id), [{ ...stopped, metadata: { actor: `worker:${this.id}` } }], 'any');
      await this.pool.query(`UPDATE job_workers SET stopped_at = now(), last_seen = now(), processed = $2, failed = $3, current = '[]' WHERE id = $1`, [this.id, this.processed, this.failed]);
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
