import type { Backoff, Priority } from './run.events';

export type CatchUpPolicy = 'once' | 'all' | 'skip';

/**
 * Run-now parameters a definition may declare: `tenant` (a target tenant), `dryRun` (true/false),
 * `timeRange` (`from` and `to`, RFC 3339), and `custom` (any other keys, passed through for the
 * handler to check).
 */
export const RUN_PARAM_NAMES = ['tenant', 'dryRun', 'timeRange', 'custom'] as const;
export type RunParamName = (typeof RUN_PARAM_NAMES)[number];

export interface HttpHandlerSpec {
  readonly kind: 'http';
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}
/** Only from the config file: argv without a shell, env names passed through, working dir. */
export interface CommandHandlerSpec {
  readonly kind: 'command';
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
}
export interface CodeHandlerSpec {
  readonly kind: 'code';
  /** Name under which the handler is registered in JobHandlerRegistry (defaults to the job name). */
  readonly handler: string;
}
export type HandlerSpec = HttpHandlerSpec | CommandHandlerSpec | CodeHandlerSpec;

/** A job definition as stored in JobDefined/JobChanged: plain data, comparable field by field. */
export interface JobDefinitionSnapshot {
  readonly name: string;
  readonly description: string;
  readonly owner: string | null;
  /** A cron expression (5 or 6 fields) or `on-demand`. */
  readonly schedule: string;
  readonly timezone: string;
  readonly priority: Priority;
  readonly manualRun: boolean;
  readonly cancellable: boolean;
  /** SLA: a run taking longer is flagged. */
  readonly targetDurationMs: number | null;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly expiresAfterMs: number | null;
  /**
   * A run active this long without finishing is stuck (the janitor fails it). Absent: the
   * installation's JANITOR_STUCK_AFTER_MS; a job that legitimately runs longer declares more.
   */
  readonly stuckAfterMs?: number;
  /** The run-now parameters this job accepts (absent: none of them). */
  readonly params?: readonly RunParamName[];
  /** Runs of this job belong to this tenant (null: platform-wide). */
  readonly tenant: string | null;
  readonly catchUp: CatchUpPolicy;
  readonly handler: HandlerSpec;
}

export type JobDefinition = JobDefinitionSnapshot & { readonly source: 'config' | 'code' };

export const isScheduled = (d: Pick<JobDefinitionSnapshot, 'schedule'>) => d.schedule !== 'on-demand';
