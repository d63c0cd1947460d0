import { RUN_EVENT_TYPES } from '../../src/jobs/events/run.events';
import { evolveRun, RunState } from '../../src/jobs/run.state';
import type { Projection } from '../projection';

/** A queue row is the run aggregate's state (no log tail): claiming scans these, so they stay small. */
export type QueueRow = RunState;

/**
 * The live queue (`rm_job_queue`) workers claim from. Inline: applied in the append's transaction,
 * so a claim (SELECT … FOR UPDATE SKIP LOCKED) always sees the stream's latest revision on the row.
 * Its fold is the run aggregate's evolve: the locked row is the state the run rules decide on.
 * The janitor deletes old terminal rows from this table; the events (and rm_job_runs) keep them.
 */
export const jobQueueProjection: Projection<QueueRow> = {
  name: 'job_queue',
  version: 1,
  inline: true,
  // evolveRun reads the event's data and metadata.occurredAt only: the claim and result paths write rows and events in one statement.
  foldBeforeInsert: true,
  canHandle: RUN_EVENT_TYPES,
  keysOf: (e) => [(e.data as { runId?: string }).runId ?? e.streamId.slice('job-'.length)],
  evolve: (row, e) => evolveRun(row, e),
};
