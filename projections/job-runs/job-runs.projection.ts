import type { RecordedEvent } from '../../src/event-store/envelope';
import { RUN_EVENT_TYPES, RunEvent } from '../../src/jobs/events/run.events';
import { evolveRun, RunState } from '../../src/jobs/run.state';
import { errorSignature, signRunFailure } from '../../src/shared/error-signature';
import type { Projection } from '../projection';
import type { RunRow } from './run-row';

/** The log tail after an event: what the attempt (or the cancel) last reported. */
function logTailAfter(row: RunRow | null, e: RunEvent): string | null {
  if (e.type === 'RunSucceeded' || e.type === 'RunFailed') return e.data.logTail;
  if (e.type === 'RunCancelled') return e.data.logTail ?? row?.logTail ?? null;
  return e.type === 'RunEnqueued' ? null : (row?.logTail ?? null);
}

/**
 * The signature of the run's latest failure: set when an attempt fails (its error, and for a bare
 * exit code the last line it printed), kept while the run retries, dropped when it succeeds, is
 * cancelled or expires (its `error` is then no failure's).
 */
function signatureAfter(row: RunRow | null, next: RunState, e: RunEvent): string | null {
  switch (e.type) {
    case 'RunFailed':
      return signRunFailure(next.error, e.data.logTail)?.signature ?? null;
    case 'RunAbandoned':
      return next.error === null ? null : errorSignature(next.error);
    case 'RunDeadLettered':
      return row?.errorSignature ?? (next.error === null ? null : errorSignature(next.error));
    case 'RunEnqueued':
    case 'RunSucceeded':
    case 'RunCancelled':
    case 'RunExpired':
      return null;
    default:
      return row?.errorSignature ?? null;
  }
}

/**
 * A run with its log tail and failure signature, folded from its stream. The run's state is the run aggregate's own fold
 * (src/jobs/run.state.ts): the history and the queue the rules decide on cannot disagree.
 */
export function evolveRunRow(row: RunRow | null, event: Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'recordedAt'>): RunRow | null {
  const next = evolveRun(row, event);
  const e = event as unknown as RunEvent;
  return next && { ...next, logTail: logTailAfter(row, e), errorSignature: signatureAfter(row, next, e) };
}

/**
 * Run history (`rm_job_runs`): every run with its outcome and log tail; never purged by the janitor.
 * Async (run by the projection runner), not inline: it would double the writes on the claim and
 * completion paths, and what must be fresh right after a write is served elsewhere — a run's own
 * stream (GET /api/runs/:id) and the inline queue view (recent runs stay there for an hour).
 * v2: `errorSignature` (the rebuild signs the failures recorded before it existed).
 */
export const jobRunsProjection: Projection<RunRow> = {
  name: 'job_runs',
  version: 2,
  canHandle: RUN_EVENT_TYPES,
  keysOf: (e) => [(e.data as { runId?: string }).runId ?? e.streamId.slice('job-'.length)],
  evolve: (row, e) => evolveRunRow(row, e),
};
