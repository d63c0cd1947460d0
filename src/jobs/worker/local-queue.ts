import type { QueueRow } from '../../../projections/job-queue/job-queue.projection';

/** A run this worker has claimed: what it needs to start it and to write its result at the claim's revision. */
export interface HeldRun {
  readonly runId: string;
  /** The queue row as the claim left it (running, this worker, this attempt). */
  readonly row: QueueRow;
  /** The run stream's revision after the claim: the expected revision of the next write. */
  readonly revision: bigint;
  /** Date.now() when the claim returned. */
  readonly heldSince: number;
}

/**
 * Runs claimed ahead of free slots, in claim order (priority, then oldest), as graphile-worker's
 * local queue holds fetched jobs: one claim transaction serves many runs. A held run is already
 * claimed in the log, so it may start only while it is surely still this worker's: before its
 * time in the queue runs out (`ttlMs`) and before the worker's lease could have lapsed (then the
 * reaper may have given it to another worker). Runs that may no longer start go back unstarted.
 */
export class LocalQueue {
  private runs: HeldRun[] = [];
  /**
   * Runs went back because they waited too long: claim again only for a free slot (graphile-worker's
   * TTL_EXPIRED mode), or the same runs would cycle between the queue and this worker.
   */
  private expired = false;

  constructor(
    /** Runs held beyond the free slots (0: claim only for free slots). */
    readonly size: number,
    private readonly ttlMs: number,
  ) {}

  get length(): number {
    return this.runs.length;
  }

  runIds(): string[] {
    return this.runs.map((r) => r.runId);
  }

  hold(runs: readonly HeldRun[]): void {
    this.runs.push(...runs);
    if (runs.length) this.expired = false;
  }

  /**
   * How many runs a claim should ask for, given the free slots: enough to fill them and the
   * queue, once the queue is down to `refillAt` (a slot's worth of runs per slot, at most half
   * the queue: the next claim overlaps the runs still held, and claims stay large, since a claim
   * transaction costs about the same for 10 runs as for 100).
   */
  wanted(freeSlots: number, claimBatch: number, concurrency: number): number {
    if (this.size === 0) return Math.max(0, Math.min(freeSlots, claimBatch) - this.runs.length);
    if (this.runs.length > Math.min(concurrency, this.size / 2) || (this.expired && freeSlots <= 0)) return 0;
    return Math.max(0, freeSlots) + this.size - this.runs.length;
  }

  private mayStart(run: HeldRun, now: number, leaseUntil: number): boolean {
    const fresh = now < run.heldSince + this.ttlMs;
    if (!fresh) this.expired = true;
    return fresh && now < leaseUntil;
  }

  /** Up to `n` runs to start now, and every run met on the way that may no longer start. */
  take(n: number, now: number, leaseUntil: number): { start: HeldRun[]; giveBack: HeldRun[] } {
    const start: HeldRun[] = [];
    const giveBack: HeldRun[] = [];
    while (start.length < n && this.runs.length) {
      const run = this.runs.shift()!;
      (this.mayStart(run, now, leaseUntil) ? start : giveBack).push(run);
    }
    return { start, giveBack };
  }

  /** Removes and returns the runs that may no longer start (their time ran out, or the lease lapsed). */
  overdue(now: number, leaseUntil: number): HeldRun[] {
    const out = this.runs.filter((r) => !this.mayStart(r, now, leaseUntil));
    if (out.length) this.runs = this.runs.filter((r) => this.mayStart(r, now, leaseUntil));
    return out;
  }

  /** Removes and returns the given runs (e.g. a cancel was requested for them). */
  remove(runIds: ReadonlySet<string>): HeldRun[] {
    const out = this.runs.filter((r) => runIds.has(r.runId));
    if (out.length) this.runs = this.runs.filter((r) => !runIds.has(r.runId));
    return out;
  }

  /** Removes and returns every held run (shutdown). */
  drain(): HeldRun[] {
    const out = this.runs;
    this.runs = [];
    return out;
  }
}
