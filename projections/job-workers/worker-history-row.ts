/** One job worker as its events tell it (`rm_job_worker_history`): the `?at=` source for GET /api/system/workers. */
export interface WorkerHistoryRow {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly mode: string;
  readonly version: string;
  readonly concurrency: number;
  readonly startedAt: string;
  readonly stoppedAt: string | null;
  readonly reapedAt: string | null;
  /** The latest event the worker itself wrote (start, claim, result, stop): its last sign of life in the log. */
  readonly lastEventAt: string;
  /** Results it recorded (succeeded + failed attempts); WorkerStopped's own counts replace these. */
  readonly processed: number;
  readonly failed: number;
}
