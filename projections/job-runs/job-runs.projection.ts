import { RUN_EVENT_TYPES } from '../../src/jobs/events/run.events';
import type { Projection } from '../projection';
import type { RunRow } from './run-row';
import { evolveRun } from './run.evolve';

/**
 * Run history (`rm_job_runs`): every run with its outcome and log tail; never purged by the janitor.
 * Async (run by the projection runner), not inline: it would double the writes on the claim and
 * completion paths, and what must be fresh right after a write is served elsewhere — a run's own
 * stream (GET /api/runs/:id) and the inline queue view (recent runs stay there for an hour).
 */
export const jobRunsProjection: Projection<RunRow> = {
  name: 'job_runs',
  version: 1,
  canHandle: RUN_EVENT_TYPES,
  keysOf: (e) => [(e.data as { runId?: string }).runId ?? e.streamId.slice('job-'.length)],
  evolve: (row, e) => evolveRun(row, e),
};
