import type { RunState } from '../../src/jobs/run.state';

/**
 * One run in the history (`rm_job_runs`): the run's state with the tail of its log and the
 * signature of its latest failure (src/shared/error-signature.ts; null when its latest attempt did
 * not fail, absent on rows of the live queue, which does not keep it).
 */
export type RunRow = RunState & { readonly logTail: string | null; readonly errorSignature?: string | null };
