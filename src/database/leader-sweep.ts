import type { Logger } from 'pino';
import { hashedLockKey, LeaderLock } from './leader-lock';
import type { LoopStateService } from './loop-state.service';
import { ReportedLoop } from './reported-loop';

export interface LeaderSweepOptions<T> {
  /** The loop's name in loop_states and ops health; its lock is `opsledger.<name>`. */
  readonly name: string;
  readonly databaseUrl: string;
  readonly everyMs: number;
  readonly reportMs: number;
  readonly loops: LoopStateService;
  readonly log: Logger;
  /** What this process recorded in one sweep while it held the lock. */
  readonly sweep: () => Promise<T[]>;
  readonly onError: (err: unknown) => void;
}

/**
 * A sweep one process at a time runs (a LeaderLock), every `everyMs`, with a heartbeat in
 * loop_states (ReportedLoop): the loops that record what the clock already decided — flag values
 * that expired, pauses past their resumeAt, maintenance windows that opened or closed.
 */
export class LeaderSweep<T> {
  private readonly lock: LeaderLock;
  private loop: ReportedLoop | null = null;

  constructor(private readonly o: LeaderSweepOptions<T>) {
    this.lock = new LeaderLock({ databaseUrl: o.databaseUrl, key: hashedLockKey(`opsledger.${o.name}`), name: o.name, log: o.log });
  }

  start(): void {
    this.loop = new ReportedLoop(this.o.loops, {
      loop: this.o.name,
      everyMs: this.o.everyMs,
      reportMs: this.o.reportMs,
      unref: true,
      step: async () => (await this.run(), this.lock.held ? 'ran' : 'standby'),
      onError: this.o.onError,
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    await this.lock.release();
  }

  /** One sweep when this process holds the lock (else nothing): what it recorded. */
  async run(): Promise<T[]> {
    return (await this.lock.tryAcquire()) ? this.o.sweep() : [];
  }
}
