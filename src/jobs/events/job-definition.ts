import type { Backoff, Priority } from './run.events';

export type CatchUpPolicy = 'once' | 'all' | 'skip';

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
  /** Runs of this job belong to this tenant (null: platform-wide). */
  readonly tenant: string | null;
  readonly catchUp: CatchUpPolicy;
  readonly handler: HandlerSpec;
}

export type JobDefinition = JobDefinitionSnapshot & { readonly source: 'config' | 'code' };

export const isScheduled = (d: Pick<JobDefinitionSnapshot, 'schedule'>) => d.schedule !== 'on-demand';
