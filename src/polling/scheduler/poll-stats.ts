/** Bounded sample of recent values for p50/p99 (benchmarks, loop detail). */
export class Samples {
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

/** What the active scheduler has done since it started (the polling benchmark reads it). */
export interface PollStats {
  polls: number;
  appends: number;
  conflicts: number;
  skips: number;
  /** Polls not started or not recorded because their partition's lease was lost (fencing). */
  fenced: number;
  /** Probe start − due time. */
  readonly lateness: Samples;
  readonly appendMs: Samples;
}

export const newPollStats = (): PollStats => ({ polls: 0, appends: 0, conflicts: 0, skips: 0, fenced: 0, lateness: new Samples(), appendMs: new Samples() });
