import type { Logger } from 'pino';
import type { RunEvent } from '../events/run.events';
import { runDecider } from '../run.decider';
import type { RunWriter } from '../store/run-writer';
import type { PendingWrite } from './pending-write';
import type { WorkerLog } from './worker-log';

export interface ResultGroupsOptions {
  readonly workerId: string;
  /** How long a finished run waits for others to be written with it (0: until the next turn of the event loop). */
  readonly completeBatchMs: number;
  /** The wait before writing a group again after it failed. */
  readonly retryMs: number;
}

/**
 * A worker's finished runs (and held runs it gives back) are written together: after
 * `completeBatchMs`, one write for whatever finished meanwhile, and again for whatever finished
 * while it was on its way. A group that cannot be written is kept and tried again.
 */
export class ResultGroups {
  private readonly pending: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly writer: RunWriter,
    private readonly wlog: WorkerLog,
    private readonly log: Logger,
    private readonly opts: ResultGroupsOptions,
    private readonly onOutcome: (job: string, events: readonly RunEvent[]) => void,
  ) {}

  push(...writes: PendingWrite[]): void {
    if (!writes.length) return;
    this.pending.push(...writes);
    this.schedule();
  }

  /** Writes everything pending, and what is added meanwhile (a stopping worker). */
  async drain(): Promise<void> {
    while (this.flushing || this.pending.length) {
      if (!this.flushing) this.schedule();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      await new Promise((r) => (this.opts.completeBatchMs > 0 ? setTimeout(r, this.opts.completeBatchMs) : setImmediate(r)));
      while (this.pending.length) {
        const batch = this.pending.splice(0, 1000);
        const byId = new Map(batch.map((b) => [b.run.runId, b]));
        try {
          const started = Date.now();
          // Separate from claiming on purpose: the worker's claim and this write overlap on two
          // connections; one combined transaction measured ~30 % slower. Each run is written at
          // the revision its claim left (the worker's copy of the row); a run changed since (a
          // cancel request, the reaper) is read again under its lock and decided on that.
          const decisions = await this.writer.act(
            [...byId.keys()],
            (row, id) => runDecider.decide(byId.get(id)!.cmd, row),
            () => ({ actor: `worker:${this.opts.workerId}` }),
            new Map(batch.map((b) => [b.run.runId, { row: b.run.row, revision: b.run.revision }])),
          );
          this.wlog.decisions(decisions, byId, this.onOutcome);
          this.wlog.finished(decisions, Date.now() - started);
        } catch (err) {
          this.log.error({ event: 'worker.complete_failed', workerId: this.opts.workerId, runs: batch.length, err }, 'could not record run results; retrying');
          this.pending.unshift(...batch);
          await new Promise((r) => setTimeout(r, this.opts.retryMs));
        }
      }
    })().finally(() => {
      this.flushing = null;
      if (this.pending.length) this.schedule();
    });
  }
}
