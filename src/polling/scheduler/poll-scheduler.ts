import { Client, Pool } from 'pg';
import type { Logger } from 'pino';
import { evolveTarget, TargetState } from '../target.state';
import type { PollingConfig } from '../../config/polling.env';
import type { RecordedEvent } from '../../event-store/envelope';
import type { EventStore, Subscription } from '../../event-store/event-store.port';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { INSTANCE_ID, type LoopStateService } from '../../health/loop-state.service';
import type { Clock } from '../../shared/clock';
import type { TargetEvent } from '../events/target.events';
import type { ProbeRegistry } from '../probes/probe-registry';
import { inQuietHours } from '../quiet-hours';
import { DecideContext, decideTarget, planPoll, PollRules } from '../target.decider';
import type { TargetRepository } from '../target-repository';
import { keyOfStream } from '../target-spec';
import { AppendBatcher } from './append-batcher';
import { DueHeap } from './due-heap';

/** pg advisory lock key of "the active poll scheduler" (arbitrary constant, see docs/adr/0002). */
export const SCHEDULER_LOCK_KEY = 7_301_004;
export const SCHEDULER_LOOP = 'poll-scheduler';

interface Entry {
  readonly key: string;
  state: TargetState | null;
  revision: bigint;
  dueMs: number | null;
  busy: boolean;
  /** Highest revision seen from other writers while busy: reload when it is ahead. */
  seenRevision: bigint;
  /** After a bookkeeping error (e.g. the database is down) the target waits until then. */
  backoffUntil: number;
}

export interface SchedulerDeps {
  readonly store: EventStore;
  readonly pool: Pool;
  readonly repo: TargetRepository;
  readonly probes: ProbeRegistry;
  readonly loops: LoopStateService | null;
  readonly clock: Clock;
  readonly log: Logger;
  readonly cfg: PollingConfig;
  readonly databaseUrl: string;
  readonly random?: () => number;
  /** Sees the events of every recorded outcome and skip (metrics). */
  readonly onOutcome?: (events: readonly TargetEvent[]) => void;
}

export const pollRules = (cfg: PollingConfig): PollRules => ({
  breaker: { failureThreshold: cfg.breakerFailureThreshold, openBaseMs: cfg.breakerOpenBaseMs, openMaxMs: cfg.breakerOpenMaxMs },
  deadLetter: { streak: cfg.deadLetterStreak, retryScheduleMs: cfg.deadLetterRetrySchedule.map((s) => s * 1000) },
  adaptiveEnabled: cfg.adaptiveEnabled,
  defaultIntervalMs: cfg.defaultIntervalSeconds * 1000,
  minIntervalMs: cfg.minIntervalSeconds * 1000,
  maxIntervalMs: cfg.maxIntervalSeconds * 1000,
});

/** Bounded sample of recent values for p50/p99 (benchmarks, loop detail). */
class Samples {
  private readonly values: number[] = [];
  private i = 0;
  constructor(private readonly cap = 200_000) {}
  add(v: number) {
    if (this.values.length < this.cap) this.values.push(v);
    else this.values[this.i++ % this.cap] = v;
  }
  percentile(p: number): number | null {
    if (!this.values.length) return null;
    const s = [...this.values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  }
  reset() {
    this.values.length = 0;
    this.i = 0;
  }
}

/**
 * The poll scheduler. One process at a time is active (pg advisory lock on a dedicated
 * connection); others stand by and retry. The active one holds every target's folded state in
 * memory, keeps due times in a min-heap, probes with bounded concurrency, and appends each
 * outcome with the expected revision (re-deciding on a conflict). Changes made by other
 * processes (API, config reconcile) arrive through a log subscription.
 */
export class PollScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new DueHeap();
  private inFlight = 0;
  private active = false;
  private stopping = false;
  private lockClient: Client | null = null;
  private sub: Subscription | null = null;
  private wakeUp: (() => void) | null = null;
  private main: Promise<void> | null = null;
  private pollsSinceReport = 0;
  private readonly random: () => number;
  readonly stats = { polls: 0, appends: 0, conflicts: 0, skips: 0, lateness: new Samples(), appendMs: new Samples() };

  private readonly batcher: AppendBatcher;

  constructor(private readonly d: SchedulerDeps) {
    this.random = d.random ?? Math.random;
    this.batcher = new AppendBatcher(d.store);
  }

  get isActive(): boolean {
    return this.active;
  }

  start(): void {
    this.stopping = false;
    this.main = this.run().catch((err) => this.d.log.error({ event: 'scheduler.crashed', err }, 'poll scheduler crashed'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.active = false;
    this.wake();
    await this.main;
    await this.d.loops?.report(SCHEDULER_LOOP, 'stopped', this.d.cfg.reportMs, { detail: { role: 'stopped' } }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (await this.tryLock()) {
        try {
          await this.runActive();
        } catch (err) {
          this.d.log.error({ event: 'scheduler.failed', err }, 'poll scheduler failed; releasing the lock');
        } finally {
          await this.releaseActive();
        }
        continue;
      }
      await this.d.loops?.report(SCHEDULER_LOOP, 'idle', this.d.cfg.lockRetryMs, { ran: true, detail: { role: 'standby' } }).catch(() => undefined);
      await this.sleep(this.d.cfg.lockRetryMs);
    }
  }

  private async tryLock(): Promise<boolean> {
    const c = new Client({ connectionString: this.d.databaseUrl });
    c.on('error', () => this.lostLock());
    try {
      await c.connect();
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [SCHEDULER_LOCK_KEY]);
      if (rows[0].ok) {
        this.lockClient = c;
        c.on('end', () => this.lostLock());
        return true;
      }
    } catch {
      /* database unreachable: stay standby */
    }
    await c.end().catch(() => undefined);
    return false;
  }

  private lostLock(): void {
    if (this.active) this.d.log.warn({ event: 'scheduler.lock_lost' }, 'lost the scheduler lock; standing by');
    this.active = false;
    this.wake();
  }

  private async runActive(): Promise<void> {
    this.active = true;
    const t0 = performance.now();
    const head = await this.d.store.head();
    const loaded = await this.d.repo.loadAll();
    for (const [key, l] of loaded) this.entries.set(key, { key, state: l.state, revision: l.revision, dueMs: null, busy: false, seenRevision: l.revision, backoffUntil: 0 });
    for (const e of this.entries.values()) this.schedule(e);
    this.d.log.info({ event: 'scheduler.active', instanceId: INSTANCE_ID, targets: this.entries.size, loadMs: Math.round(performance.now() - t0) }, 'poll scheduler active');
    this.sub = this.d.store.subscribe({
      from: head?.checkpoint ?? null,
      onBatch: (batch) => this.onEvents(batch),
      onError: (err) => this.d.log.warn({ event: 'scheduler.subscription_error', err }, 'scheduler subscription error'),
    });
    let lastReport = 0;
    while (this.active && !this.stopping) {
      const now = this.d.clock.now().getTime();
      this.dispatchDue(now);
      if (now - lastReport >= this.d.cfg.reportMs) {
        lastReport = now;
        void this.report(now).catch(() => undefined);
      }
      const next = this.heap.peek();
      const saturated = this.inFlight >= this.d.cfg.concurrency;
      await this.sleep(saturated || !next ? this.d.cfg.tickMs : Math.max(0, Math.min(this.d.cfg.tickMs, next.dueMs - now)));
    }
  }

  private async releaseActive(): Promise<void> {
    this.active = false;
    await this.sub?.stop();
    this.sub = null;
    // In-flight probes end within their timeout; their outcomes are still recorded.
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    this.entries.clear();
    this.heap.clear();
    // Logged before the unlock, as scheduler.active after the lock: the two lines bracket every
    // probe of this process and lie inside the time it held the lock.
    this.d.log.info({ event: 'scheduler.released', instanceId: INSTANCE_ID }, 'poll scheduler releases the lock');
    const c = this.lockClient;
    this.lockClient = null;
    if (c) {
      await c.query('SELECT pg_advisory_unlock($1)', [SCHEDULER_LOCK_KEY]).catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  }

  private ctx(now: Date): DecideContext {
    return { rules: pollRules(this.d.cfg), random: this.random, intervalFactor: inQuietHours(now, this.d.cfg.quietHours, this.d.cfg.quietHoursTz) ? this.d.cfg.quietHoursFactor : 1 };
  }

  private async report(now: number): Promise<void> {
    const quiet = inQuietHours(new Date(now), this.d.cfg.quietHours, this.d.cfg.quietHoursTz);
    const state = quiet ? 'quiet_hours' : this.inFlight > 0 || this.pollsSinceReport > 0 ? 'working' : 'idle';
    const detail = { role: 'active', inFlight: this.inFlight, targets: this.entries.size, polls: this.stats.polls, pollsSinceReport: this.pollsSinceReport };
    this.pollsSinceReport = 0;
    await this.d.loops?.report(SCHEDULER_LOOP, state, this.d.cfg.reportMs, { ran: true, detail });
  }

  private schedule(e: Entry): void {
    const s = e.state;
    const planned = !s || s.paused ? null : s.forceNext ? 0 : s.deadLetter ? Date.parse(s.deadLetter.nextRetry) : s.nextDueMs;
    const due = planned === null ? null : Math.max(planned, e.backoffUntil);
    if (due === e.dueMs) return;
    e.dueMs = due;
    if (due !== null) {
      this.heap.push(due, e.key);
      if (due <= this.d.clock.now().getTime()) this.wake();
    }
  }

  private dispatchDue(now: number): void {
    while (this.inFlight < this.d.cfg.concurrency && this.active) {
      const top = this.heap.peek();
      if (!top || top.dueMs > now) return;
      this.heap.pop();
      const e = this.entries.get(top.key);
      if (!e || e.busy || e.dueMs !== top.dueMs) continue; // rescheduled since: a stale heap entry
      e.dueMs = null;
      e.busy = true;
      this.inFlight++;
      void this.handle(e, top.dueMs)
        .catch((err) => {
          this.d.log.error({ event: 'scheduler.poll_error', key: e.key, err }, 'poll bookkeeping failed; retrying later');
          e.backoffUntil = this.d.clock.now().getTime() + this.d.cfg.lockRetryMs;
          e.seenRevision = e.revision + 1n; // reload before the next attempt
        })
        .finally(() => this.afterBusy(e, () => this.inFlight--));
    }
  }

  private async afterBusy(e: Entry, release: () => void): Promise<void> {
    try {
      if (e.seenRevision > e.revision) await this.reload(e);
    } catch (err) {
      this.d.log.warn({ event: 'scheduler.reload_failed', key: e.key, err }, 'reload failed');
    } finally {
      e.busy = false;
      release();
      this.schedule(e);
      this.wake();
    }
  }

  private async handle(e: Entry, dueMs: number): Promise<void> {
    const started = this.d.clock.now();
    const plan = planPoll(e.state, started);
    if (plan.action === 'none' || plan.action === 'wait') return;
    if (plan.action === 'skip') {
      const evs = await this.commit(e, (s) => decideTarget({ type: 'SkipPoll', at: started }, s, this.ctx(started)));
      if (evs.length) {
        this.stats.skips++;
        this.d.onOutcome?.(evs);
      }
      return;
    }
    if (plan.halfOpen) {
      const force = plan.trigger === 'requested' || plan.trigger === 'dead_letter_retry';
      const evs = await this.commit(e, (s) => decideTarget({ type: 'AdmitProbe', at: started, force }, s, this.ctx(started)));
      for (const ev of evs) this.d.log.info({ event: 'breaker.half_opened', key: e.key }, 'breaker half-open');
    }
    const s = e.state;
    if (!s) return;
    this.stats.lateness.add(Math.max(0, started.getTime() - dueMs));
    const result = await this.d.probes.run({ key: s.key, probe: s.spec.probe }, s.spec.probe.timeoutMs ?? this.d.cfg.timeoutMs);
    const finished = this.d.clock.now();
    this.stats.polls++;
    this.pollsSinceReport++;
    const events = await this.commit(e, (cur) =>
      cur ? decideTarget({ type: 'RecordPollOutcome', at: finished, result, startedAt: started, finishedAt: finished, dueAt: new Date(dueMs), trigger: plan.trigger }, cur, this.ctx(started)) : [],
    );
    this.logOutcome(e.key, events);
    this.d.onOutcome?.(events);
  }

  private logOutcome(key: string, events: TargetEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'PollFailed') this.d.log.warn({ event: 'poll.failed', key, failureKind: ev.data.failureKind, category: ev.data.category, statusCode: ev.data.statusCode, durationMs: ev.data.durationMs, consecutiveFailures: ev.data.consecutiveFailures }, ev.data.message);
      else if (ev.type === 'BreakerOpened') this.d.log.warn({ event: 'breaker.opened', key, retryAt: ev.data.retryAt, trips: ev.data.trips }, 'breaker opened');
      else if (ev.type === 'BreakerClosed') this.d.log.info({ event: 'breaker.closed', key }, 'breaker closed');
      else if (ev.type === 'TargetDeadLettered') this.d.log.warn({ event: 'target.dead_lettered', key, reason: ev.data.reason, nextRetry: ev.data.nextRetry }, 'target dead-lettered');
      else if (ev.type === 'DeadLetterRetryFailed') this.d.log.warn({ event: 'target.dead_letter_retry_failed', key, retryCount: ev.data.retryCount, nextRetry: ev.data.nextRetry }, 'dead-letter retry failed');
      else if (ev.type === 'TargetRecovered') this.d.log.info({ event: 'target.recovered', key }, 'target recovered');
    }
  }

  /** Decide against the state in memory and append with its revision; on a conflict reload and decide again. */
  private async commit(e: Entry, decide: (s: TargetState | null) => TargetEvent[]): Promise<TargetEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const events = decide(e.state);
      if (!events.length) return [];
      const t = performance.now();
      try {
        const res = await this.batcher.append(e.key, events, e.revision, { instanceId: INSTANCE_ID });
        this.stats.appendMs.add(performance.now() - t);
        this.stats.appends++;
        for (const ev of events) e.state = evolveTarget(e.state, ev);
        e.revision = res.nextRevision;
        return events;
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= 5) throw err;
        this.stats.conflicts++;
        await this.reload(e);
      }
    }
  }

  private async reload(e: Entry): Promise<void> {
    const l = await this.d.repo.load(e.key);
    e.state = l.state;
    e.revision = l.revision;
    if (e.seenRevision < l.revision) e.seenRevision = l.revision;
  }

  /** Other writers' events (API, reconcile, another scheduler before a takeover). Our own are already folded. */
  private async onEvents(batch: readonly RecordedEvent[]): Promise<void> {
    for (const ev of batch) {
      const key = keyOfStream(ev.streamId);
      if (!key) continue;
      let e = this.entries.get(key);
      if (!e) {
        e = { key, state: null, revision: -1n, dueMs: null, busy: false, seenRevision: -1n, backoffUntil: 0 };
        this.entries.set(key, e);
      }
      if (ev.revision <= e.revision) continue;
      if (e.busy) {
        if (ev.revision > e.seenRevision) e.seenRevision = ev.revision;
        continue;
      }
      if (ev.revision === e.revision + 1n) {
        e.state = evolveTarget(e.state, ev as unknown as TargetEvent);
        e.revision = ev.revision;
        e.seenRevision = ev.revision;
      } else {
        await this.reload(e);
      }
      this.schedule(e);
    }
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
