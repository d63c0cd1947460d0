import type { Logger } from 'pino';

export interface RefreshedRowsOptions<K, R> {
  /** Reads every row (one query). */
  readonly load: () => Promise<R[]>;
  readonly key: (row: R) => K;
  readonly everyMs: number;
  readonly log: Logger;
  /** Log family of a failed re-read, e.g. `maintenance.refresh_failed`. */
  readonly event: string;
  /** What the rows are, for the log line ("maintenance windows"). */
  readonly what: string;
}

/**
 * A small read model kept in memory for checks asked on every request or loop turn (holds, loop
 * pauses, maintenance windows): re-read every `everyMs` and at once after a change made through
 * this process. A failed re-read keeps the last known rows, so a database blip does not lift a
 * hold or a maintenance window.
 */
export class RefreshedRows<K, R> {
  private rows = new Map<K, R>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: RefreshedRowsOptions<K, R>) {}

  /** First read, then the interval (unref'd: it never holds the process open). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): ReadonlyMap<K, R> {
    return this.rows;
  }

  async refresh(): Promise<void> {
    try {
      this.rows = new Map((await this.opts.load()).map((r) => [this.opts.key(r), r]));
    } catch (err) {
      this.opts.log.warn({ event: this.opts.event, err }, `could not re-read ${this.opts.what}; keeping the last known`);
    }
  }
}
