import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderSweep, LeaderSweepOptions } from './leader-sweep';

/**
 * A Nest provider that runs a LeaderSweep from bootstrap to shutdown: the loops that record what
 * the clock already decided (flag expiry, pause expiry, maintenance windows). A subclass says what
 * one sweep records (`sweepHere`) and, if not every process runs it, `runsHere`.
 */
export abstract class LeaderSweepLoop<T> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sweeper: LeaderSweep<T>;

  protected constructor(options: Omit<LeaderSweepOptions<T>, 'sweep'>) {
    this.sweeper = new LeaderSweep({ ...options, sweep: () => this.sweepHere() });
  }

  /** What this process recorded in one sweep while it held the lock. */
  protected abstract sweepHere(): Promise<T[]>;

  /** Whether this process runs the loop (every process unless a subclass says otherwise). */
  protected runsHere(): boolean {
    return true;
  }

  onApplicationBootstrap(): void {
    if (this.runsHere()) this.sweeper.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }

  /** One sweep when this process holds the lock (else nothing): what it recorded. */
  sweep(): Promise<T[]> {
    return this.sweeper.run();
  }
}
