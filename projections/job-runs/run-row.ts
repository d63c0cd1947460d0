import type { RunState } from '../../src/jobs/run.state';

/** One run in the history (`rm_job_runs`): the run's state with the tail of its log. */
export type RunRow = RunState & { readonly logTail: string | null };
