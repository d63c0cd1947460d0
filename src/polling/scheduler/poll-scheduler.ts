import type { Logger } from 'pino';
import type { PollingConfig } from '../../config/polling.env';
import { LeaderLock } from '../../database/leader-lock';
import type { EventStore } from '../../event-store/event-store.port';
import { INSTANCE_ID, type LoopStateService } from '../../database/loop-state.service';
import type { Clock } from '../../shared/clock';
import { LocalWaker } from '../../shared/waker';
import type { TargetEvent } from '../events/target.events';
import type { Hold, TargetSubject } from '../../pausing/holds';
import type { ProbeRegistry } from '../probes/probe-registry';
import type { TargetRepository } from '../target-repository';
import { runDueLoop, SCHEDULER_LOOP } from './due-loop';
import { newPollStats } from './poll-stats';

/** pg advisory lock key of "the active poll scheduler" (arbitrary constant, see docs/adr/0002). */
export const SCHEDULER_LOCK_KEY = 7_301_004;

export interface SchedulerDeps {
  readonly store: EventStore;
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
  /** True while an operator has paused the scheduler: no poll starts, the loop reports `paused`. */
  readonly paused?: () => boolean;
  /** The hold check: targets it holds are not polled. */
  readonly holdFor?: (subject: TargetSubject, at: Date) => Hold | null;
}

/**
 * The poll scheduler. One process at a time is active (the scheduler's LeaderLock); the others
 * stand by and try again every SCHEDULER_LOCK_RETRY_MS. The active one runs the due loop
 * (due-loop.ts), which starts each target's poll (run-poll.ts) when it comes due.
 */
export class PollScheduler {
  readonly stats = newPollStats();
  private readonly lock: LeaderLock;
  private readonly waker = new LocalWaker({ latch: true });
  private active = false;
  private stopping = false;
  private main: Promise<void> | null = null;

  constructor(private readonly d: SchedulerDeps) {
    this.lock = new LeaderLock({
      databaseUrl: d.databaseUrl,
      key: SCHEDULER_LOCK_KEY,
      name: 'scheduler',
      // scheduler.active is logged once the targets are loaded (due-loop.ts), scheduler.released
      // before the unlock: the two lines bracket every probe of this process and lie inside the
      // time it held the lock.
      onReleasing: () => d.log.info({ event: 'scheduler.released', instanceId: INSTANCE_ID }, 'poll scheduler releases the lock'),
      onLost: () => this.lostLock(),
    });
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
    this.waker.wake();
    await this.main;
    await this.d.loops?.report(SCHEDULER_LOOP, 'stopped', this.d.cfg.reportMs, { detail: { role: 'stopped' } }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { cfg, log } = this.d;
    while (!this.stopping) {
      if (await this.lock.tryAcquire().catch(() => false)) {
        this.active = true;
        try {
          await runDueLoop({ ...this.d, random: this.d.random ?? Math.random, stats: this.stats }, () => this.active && !this.stopping, this.waker);
        } catch (err) {
          log.error({ event: 'scheduler.failed', err }, 'poll scheduler failed; releasing the lock');
        } finally {
          this.active = false;
          await this.lock.release();
        }
        continue;
      }
      await this.d.loops?.report(SCHEDULER_LOOP, 'idle', cfg.lockRetryMs, { ran: true, detail: { role: 'standby' } }).catch(() => undefined);
      await this.waker.wait(cfg.lockRetryMs);
    }
    await this.lock.release(); // a standby keeps its connection between tries
  }

  private lostLock(): void {
    if (this.active) this.d.log.warn({ event: 'scheduler.lock_lost' }, 'lost the scheduler lock; standing by');
    this.active = false;
    this.waker.wake();
  }
}
