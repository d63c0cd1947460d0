/**
 * The one way a loop sleeps: until a timeout or a wake-up, whichever comes first, and at once
 * when its AbortSignal fires (shutdown). Readers of the log, the projection runner, the job worker
 * and every timed loop (alerts, snapshots, cron, janitor) wait through it.
 */
export interface Waker {
  /** Resolves on the next wake-up, after `ms`, or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface LocalWakerOptions {
  /**
   * Keep a wake-up that arrives while nobody waits, so the next wait returns at once (a loop that
   * was busy when work arrived must not sleep past it).
   */
  readonly latch?: boolean;
  /** The timer does not keep the process alive. */
  readonly unref?: boolean;
}

export class LocalWaker implements Waker {
  private waiters = new Set<() => void>();
  private latched = false;

  constructor(private readonly options: LocalWakerOptions = {}) {}

  /** Ends every wait in progress (or, with `latch`, the next one when nobody waits). */
  wake(): void {
    const ws = this.waiters;
    if (!ws.size) {
      if (this.options.latch) this.latched = true;
      return;
    }
    this.waiters = new Set();
    for (const w of ws) w();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    if (this.latched) {
      this.latched = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (this.options.unref) timer.unref();
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Sleeps `ms`, or less when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new LocalWaker().wait(ms, signal);
