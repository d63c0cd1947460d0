import type { Clock } from '../../src/shared/clock';

/**
 * A clock the test moves (the app's CLOCK: `startTestApp(env, db, { clock })`, or any part that
 * takes a Clock). `TestClock.stopped(at)` stands still until `advance`/`set`; `TestClock.running(at)`
 * runs with real time from `at` (default: now), so timeouts and waits still pass, and can jump.
 */
export class TestClock implements Clock {
  private constructor(
    private base: number,
    private readonly runs: boolean,
    private readonly startedAt = Date.now(),
  ) {}

  static stopped(at: Date | string | number): TestClock {
    return new TestClock(new Date(at).getTime(), false);
  }

  static running(at: Date | string | number = Date.now()): TestClock {
    return new TestClock(new Date(at).getTime(), true);
  }

  now(): Date {
    return new Date(this.ms());
  }

  ms(): number {
    return this.base + (this.runs ? Date.now() - this.startedAt : 0);
  }

  advance(ms: number): void {
    this.base += ms;
  }

  set(at: Date | string | number): void {
    this.base += new Date(at).getTime() - this.ms();
  }
}

/** Noon UTC of today: a running clock started here crosses no UTC day boundary within hours. */
export const middayUtc = (): Date => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 43_200_000);
