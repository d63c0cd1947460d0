import type { BreakerSnapshot } from '../polling/target.state';
import type { TargetEvent } from '../polling/events/target.events';

/** What the report says about one target, for the recorded history and for the what-if alike. */
export interface TargetFigures {
  readonly breakerOpens: number;
  /** Time the breaker refused probes: from opening until its retryAt (or an earlier reset), within the window. */
  readonly timeOpenSeconds: number;
  readonly deadLetterEntries: number;
  /** Probes of a dead-lettered target (failed retries and recoveries). */
  readonly deadLetterRetries: number;
  readonly pollsSkipped: number;
}

export const zeroTargetFigures = (): TargetFigures => ({ breakerOpens: 0, timeOpenSeconds: 0, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 0 });

/**
 * Counts one target's transitions. The recorded history and the what-if are tallied by this same
 * code from the same event shapes, so equal event sequences give equal figures.
 */
export class TargetTally {
  private opens = 0;
  private openMs = 0;
  private dlEntries = 0;
  private dlRetries = 0;
  private skipped = 0;
  /** The open period in progress: when it started (clipped to the window) and its retryAt. */
  private open: { startMs: number; untilMs: number } | null = null;

  constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
    breakerAtStart: BreakerSnapshot | null,
  ) {
    if (breakerAtStart?.state === 'open' && breakerAtStart.retryAt) this.open = { startMs: fromMs, untilMs: Date.parse(breakerAtStart.retryAt) };
  }

  note(e: TargetEvent): void {
    switch (e.type) {
      case 'BreakerOpened':
        this.closeOpen(Date.parse(e.data.since));
        this.opens++;
        this.open = { startMs: Math.max(this.fromMs, Date.parse(e.data.since)), untilMs: e.data.retryAt ? Date.parse(e.data.retryAt) : this.toMs };
        return;
      case 'BreakerHalfOpened':
      case 'BreakerClosed':
        return this.closeOpen(Date.parse(e.data.since));
      case 'BreakerReset':
      case 'TargetRemoved':
        return this.closeOpen(Date.parse(e.data.at));
      case 'TargetDeadLettered':
        this.dlEntries++;
        return;
      case 'DeadLetterRetryFailed':
        this.dlRetries++;
        return;
      case 'TargetRecovered':
        // A success while dead-lettered is a retry too (scheduled or asked for).
        this.dlRetries++;
        return;
      case 'PollSkipped':
        this.skipped++;
        return;
      default:
        return;
    }
  }

  /** A recorded poll the what-if policy would not have made. */
  skip(): void {
    this.skipped++;
  }

  private closeOpen(atMs: number): void {
    if (!this.open) return;
    const end = Math.min(atMs, this.open.untilMs, this.toMs);
    this.openMs += Math.max(0, end - this.open.startMs);
    this.open = null;
  }

  figures(): TargetFigures {
    const pendingMs = this.open ? Math.max(0, Math.min(this.open.untilMs, this.toMs) - this.open.startMs) : 0;
    return {
      breakerOpens: this.opens,
      timeOpenSeconds: Math.round(this.openMs + pendingMs) / 1000,
      deadLetterEntries: this.dlEntries,
      deadLetterRetries: this.dlRetries,
      pollsSkipped: this.skipped,
    };
  }
}
