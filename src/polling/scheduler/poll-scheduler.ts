import type { Logger } from 'pino';
import type { PollingConfig } from '../../config/polling.env';
import type { EventStore } from '../../event-store/event-store.port';
import { INSTANCE_ID, type LoopStateService } from '../../database/loop-state.service';
import type { Clock } from '../../shared/clock';
import { LocalWaker } from '../../shared/waker';
import type { TargetEvent } from '../events/target.events';
import type { Hold, TargetSubject } from '../../pausing/holds';
import type { ProbeRegistry } from '../probes/probe-registry';
import type { TargetRepository } from '../target-repository';
import { runDueLoop, SCHEDULER_LOOP } from './due-loop';
import { limitHeapGrowth } from './heap-growth';
import { PartitionLeases } from './partition-leases';
import { PartitionOwnership } from './partition-ownership';
import { newPollStats } from './poll-stats';

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

/** Schedulers started in this process: the first leases as INSTANCE_ID, any other (tests) as INSTANCE_ID/n. */
let schedulersInProcess = 0;

/**
 * The poll scheduler of this process. The targets are split into a fixed number of partitions,
 * each leased by one scheduler process at a time (docs/adr/0017): this one holds its fair share
 * (all of them when it runs alone), polls their targets (due-loop.ts, run-poll.ts) and fences
 * every append with the partition's lease term.
 */
export class PollScheduler {
  readonly stats = newPollStats();
  readonly owner: string;
  private readonly waker = new LocalWaker({ latch: true });
  private ownership: PartitionOwnership | null = null;
  private stopping = false;
  private main: Promise<void> | null = null;

  constructor(private readonly d: SchedulerDeps) {
    const n = ++schedulersInProcess;
    this.owner = n === 1 ? INSTANCE_ID : `${INSTANCE_ID}/${n}`;
  }

  /** Whether this process holds any poll partition now. */
  get isActive(): boolean {
    return (this.ownership?.count ?? 0) > 0;
  }

  /** How many partitions this process holds. */
  get partitions(): number {
    return this.ownership?.count ?? 0;
  }

  start(): void {
    limitHeapGrowth(this.d.cfg.heapGrowingPercent);
    this.stopping = false;
    this.main = this.run().catch((err) => this.d.log.error({ event: 'scheduler.crashed', err }, 'poll scheduler crashed'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.waker.wake();
    await this.main;
    await this.d.loops?.report(SCHEDULER_LOOP, 'stopped', this.d.cfg.reportMs, { detail: { role: 'stopped' } }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { cfg, log } = this.d;
    while (!this.stopping) {
      const leases = new PartitionLeases(this.d.databaseUrl, this.owner, cfg.leaseMs);
      try {
        const ownership = new PartitionOwnership(leases, cfg.leaseMs);
        await ownership.start();
        this.ownership = ownership;
        await runDueLoop({ ...this.d, random: this.d.random ?? Math.random, stats: this.stats, ownership }, () => !this.stopping, this.waker);
      } catch (err) {
        log.error({ event: 'scheduler.failed', instanceId: INSTANCE_ID, owner: this.owner, err }, 'poll scheduler failed; starting again');
        await this.d.loops?.report(SCHEDULER_LOOP, 'idle', cfg.reportMs, { ran: true, detail: { role: 'standby' } }).catch(() => undefined);
        await this.waker.wait(cfg.leaseRenewMs);
      } finally {
        this.ownership = null;
        await leases.close();
      }
    }
  }
}
