import type { JobDefinitionSnapshot } from '../../src/jobs/events/job-definition';

export interface JobDefinitionRow {
  readonly name: string;
  readonly definition: JobDefinitionSnapshot;
  readonly source: 'config' | 'code';
  readonly definedAt: string;
  readonly changedAt: string;
  readonly removedAt: string | null;
  readonly missedTicks: number;
  readonly lastMissedTick: string | null;
  /** Ticks skipped while a hold (a pause) kept the job from running; absent on rows folded before they existed. */
  readonly skippedTicks?: number;
  readonly lastSkippedTick?: string | null;
}
