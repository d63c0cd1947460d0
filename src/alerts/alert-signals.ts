/** The figures the baseline alerts read, gathered from read models at evaluation time. */
export interface AlertSignals {
  /** Ops health status (healthy | degraded | unhealthy) and its issues. */
  readonly health: { status: string; issues: string[] };
  /** Jobs queue snapshot as on /api/health with the cron secret. */
  readonly queue: { pending: number; deadLetter: number; oldestReadyAgeSeconds: number | null };
  /** Cron-scheduled jobs in trouble: last run failed, or a tick overdue. */
  readonly cronProblems: string[];
  /** Failed webhook deliveries in the spike window. */
  readonly webhookFailures: number;
  /** Failed authentications in the spike window. */
  readonly authFailures: number;
  /** Burn rates of every target with a freshness objective over the fast and the slow pair of windows (long, short). */
  readonly sloBurn: readonly SloBurn[];
}

export interface SloBurn {
  readonly target: string;
  readonly fast: readonly [long: number, short: number];
  readonly slow: readonly [long: number, short: number];
}
