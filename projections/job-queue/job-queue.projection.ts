import { RUN_EVENT_TYPES } from '../../src/jobs/events/run.events';
import type { Projection } from '../projection';
import type { RunRow } from '../job-runs/run-row';
import { evolveRun } from '../job-runs/run.evolve';

/** A queue row is the run without its log tail: claiming scans these, so they stay small. */
export type QueueRow = Omit<RunRow, 'logTail'>;

/**
 * The live queue (`rm_job_queue`) workers claim from. Inline: applied in the append's transaction,
 * so a claim (SELECT … FOR UPDATE SKIP LOCKED) always sees the stream's latest revision on the row.
 * The janitor deletes old terminal rows from this table; the events (and rm_job_runs) keep them.
 */
export const jobQueueProjection: Projection<QueueRow> = {
  name: 'job_queue',
  version: 1,
  inline: true,
  canHandle: RUN_EVENT_TYPES,
  keysOf: (e) => [(e.data as { runId?: string }).runId ?? e.streamId.slice('job-'.length)],
  evolve: (row, e) => {
    const next = evolveRun(row ? ({ ...row, logTail: null } as RunRow) : null, e);
    if (!next) return null;
    const { logTail: _drop, ...rest } = next;
    return rest;
  },
};
