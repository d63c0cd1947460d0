/** States of a background loop, as ops health names them. */
export const LOOP_STATES = ['starting', 'idle', 'working', 'paused', 'quiet_hours', 'stopped', 'crashed', 'unknown'] as const;
export type LoopState = (typeof LOOP_STATES)[number];

export interface LoopStateRow {
  readonly loop: string;
  readonly instanceId: string;
  readonly state: LoopState;
  readonly intervalMs: number;
  readonly lastRunAt: Date | null;
  readonly beatAt: Date;
  readonly startedAt: Date;
  readonly detail: Record<string, unknown> | null;
}
