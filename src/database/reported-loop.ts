import { TimedLoop } from '../shared/timed-loop';
import type { LoopStateService } from './loop-state.service';

/** What one step did: ran the loop's work, or waited because another process holds its lock. */
export type StepOutcome = 'ran' | 'standby';

export interface ReportedLoopOptions {
  /** The loop's name in loop_states and ops health. */
  readonly loop: string;
  readonly everyMs: number;
  /** Heartbeat interval: a step reports at most this often (more often on a change of role). */
  readonly reportMs: number;
  readonly runNow?: boolean;
  readonly unref?: boolean;
  readonly step: () => Promise<StepOutcome>;
  readonly onError: (err: unknown) => void | Promise<void>;
}

/**
 * A TimedLoop that reports to loop_states, so ops health and the stale-loop alert see a loop
 * that stopped stepping, crashed, or stopped with its process. Heartbeats are throttled: a loop
 * that steps every 50 ms still writes one row update per `reportMs`.
 */
export class ReportedLoop {
  private readonly timed: TimedLoop;
  private lastReport = 0;
  private lastOutcome: StepOutcome | 'crashed' | null = null;

  constructor(
    private readonly loops: LoopStateService,
    private readonly o: ReportedLoopOptions,
  ) {
    this.timed = new TimedLoop({
      everyMs: o.everyMs,
      runNow: o.runNow,
      unref: o.unref,
      step: async () => this.afterStep(await o.step()),
      onError: async (err) => {
        await o.onError(err);
        this.lastOutcome = 'crashed';
        await this.report('crashed', { detail: { error: err instanceof Error ? err.message : String(err) } });
      },
    });
  }

  /** Staleness is measured against the heartbeat, or the step interval when that is longer. */
  private get intervalMs(): number {
    return Math.max(this.o.everyMs, this.o.reportMs);
  }

  start(): void {
    // The row exists from the start, so a loop that never completes a step still shows (and goes stale).
    void this.report('idle', {}).catch(() => undefined);
    this.timed.start();
  }

  wake(): void {
    this.timed.wake();
  }

  async stop(): Promise<void> {
    await this.timed.stop();
    await this.report('stopped', {}).catch(() => undefined);
  }

  private async afterStep(outcome: StepOutcome): Promise<void> {
    const now = Date.now();
    if (outcome === this.lastOutcome && now - this.lastReport < this.o.reportMs) return;
    this.lastOutcome = outcome;
    this.lastReport = now;
    await this.report('idle', { ran: outcome === 'ran', detail: { role: outcome === 'ran' ? 'active' : 'standby' } }).catch(() => undefined);
  }

  private report(state: 'idle' | 'crashed' | 'stopped', opts: { ran?: boolean; detail?: Record<string, unknown> }): Promise<void> {
    return this.loops.report(this.o.loop, state, this.intervalMs, { ...opts, detail: { ...opts.detail, auxiliary: true } });
  }
}
