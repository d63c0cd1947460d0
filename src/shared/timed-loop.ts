import { LocalWaker } from './waker';

export interface TimedLoopOptions {
  /** Time from the start of one step to the start of the next. */
  readonly everyMs: number;
  /** Run the first step at start; otherwise after one interval. */
  readonly runNow?: boolean;
  /** The timer does not keep the process alive. */
  readonly unref?: boolean;
  readonly step: () => Promise<void>;
  /** A failed step is reported here (awaited before the next wait); the loop goes on. */
  readonly onError: (err: unknown) => void | Promise<void>;
}

/**
 * A step every `everyMs` that never overlaps itself, on the one waker: `stop()` ends the wait at
 * once and resolves when the step in flight has finished, so nothing runs after shutdown.
 */
export class TimedLoop {
  private readonly abort = new AbortController();
  private readonly waker: LocalWaker;
  private done: Promise<void> | null = null;

  constructor(private readonly options: TimedLoopOptions) {
    this.waker = new LocalWaker({ latch: true, unref: options.unref });
  }

  start(): void {
    this.done ??= this.run(this.abort.signal);
  }

  /** Runs the next step now, or right after the one in flight. */
  wake(): void {
    this.waker.wake();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { everyMs, step, onError } = this.options;
    if (!this.options.runNow) await this.waker.wait(everyMs, signal);
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await step();
      } catch (err) {
        await Promise.resolve()
          .then(() => onError(err))
          .catch(() => undefined);
      }
      await this.waker.wait(Math.max(0, started + everyMs - Date.now()), signal);
    }
  }
}
