import type { RecordedEvent } from '../../event-store/envelope';
import { rfc3339 } from '../../shared/clock';
import type { JobDefinitionEvent } from '../events/job-definition.events';
import type { RunEvent } from '../events/run.events';
import type { WorkerEvent } from '../events/worker.events';

const short = (id: string) => (id.length > 8 ? `${id.slice(0, 8)}…` : id);
const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
const quoted = (s: string | null | undefined) => (s ? `: '${s}'` : '');

/** "nightly-report run 1a2b3c4d…" (events recorded before runs carried `job` show the run only). */
function subject(e: RecordedEvent): string {
  const d = e.data as { job?: string; runId?: string };
  const run = `run ${short(d.runId ?? e.streamId.slice('job-'.length))}`;
  return d.job ? `${d.job} ${run}` : run;
}

function runLine(e: RecordedEvent): string {
  const ev = e as unknown as RunEvent;
  const s = subject(e);
  switch (ev.type) {
    case 'RunEnqueued': {
      const d = ev.data;
      if (d.trigger === 'schedule') return `${s} enqueued by cron for tick ${rfc3339(d.scheduledFor)}`;
      const how = d.trigger === 'retry' ? `retry of ${short(d.retryOf ?? '?')}` : 'manual';
      return `${s} enqueued by ${d.actor ?? 'unknown'} (${how})${quoted(d.reason)}`;
    }
    case 'RunClaimed':
      return `${s} claimed by worker ${ev.data.workerId} (attempt ${ev.data.attempt})`;
    case 'RunSucceeded':
      return `${s} succeeded in ${secs(ev.data.durationMs)}`;
    case 'RunFailed':
      return `${s} failed after ${secs(ev.data.durationMs)}: ${ev.data.exitCode !== null ? `exit code ${ev.data.exitCode}` : (ev.data.error ?? 'no detail')}`;
    case 'RetryScheduled':
      return `${s} retry scheduled: attempt ${ev.data.attempt} at ${rfc3339(ev.data.readyAt)} (backoff ${secs(ev.data.backoffMs)})`;
    case 'RunDeadLettered':
      return `${s} dead-lettered after ${ev.data.attempts} attempt(s): ${ev.data.reason}`;
    case 'CancelRequested':
      return `${s} cancel requested by ${ev.data.actor}${quoted(ev.data.reason)}`;
    case 'RunCancelled':
      return `${s} cancelled by ${ev.data.by}: ${ev.data.reason}`;
    case 'RunExpired':
      return `${s} expired unclaimed (expired at ${rfc3339(ev.data.expiresAt)})`;
    case 'RunAbandoned':
      return `${s} abandoned by worker ${ev.data.workerId} (attempt ${ev.data.attempt}): ${ev.data.reason}`;
  }
}

function workerLine(e: RecordedEvent): string {
  const ev = e as unknown as WorkerEvent;
  switch (ev.type) {
    case 'WorkerStarted':
      return `worker ${ev.data.workerId} started on ${ev.data.host} (pid ${ev.data.pid}, mode ${ev.data.mode}, concurrency ${ev.data.concurrency})`;
    case 'WorkerStopped':
      return `worker ${ev.data.workerId} stopped after ${ev.data.processed} run(s), ${ev.data.failed} failed${ev.data.released.length ? `; ${ev.data.released.length} released to the queue` : ''}`;
    case 'WorkerReaped':
      return `worker ${ev.data.workerId} reaped by ${ev.data.reapedBy} (last seen ${rfc3339(ev.data.lastSeen)}); ${ev.data.abandonedRuns.length} run(s) abandoned`;
  }
}

function definitionLine(e: RecordedEvent): string {
  const ev = e as unknown as JobDefinitionEvent;
  switch (ev.type) {
    case 'JobDefined':
      return `job ${ev.data.name} defined from ${ev.data.source}: ${ev.data.definition.schedule}${ev.data.definition.schedule === 'on-demand' ? '' : ` (${ev.data.definition.timezone})`}`;
    case 'JobChanged':
      return `job ${ev.data.name} changed (${ev.data.changed.join(', ') || 'no field named'})`;
    case 'JobRemoved':
      return `job ${ev.data.name} removed`;
    case 'TickMissed': {
      const d = ev.data;
      const then = d.caughtUpBy
        ? `caught up by run ${short(d.caughtUpBy)}`
        : d.policy === 'skip'
          ? 'skipped (catch-up: skip)'
          : 'not run (a later tick was caught up)';
      return `${d.job} missed tick ${rfc3339(d.tick)} (process down?); ${then}`;
    }
    case 'TickSkipped': {
      const h = ev.data.hold;
      const by =
        h.scope === 'job' ? `paused by ${h.by}` : `held by ${h.source} of ${h.scope === 'tenant-jobs' ? `tenant ${h.subject}'s jobs` : h.subject} (${h.by})`;
      return `${ev.data.job} tick ${rfc3339(ev.data.tick)} skipped while ${by}${h.until ? ` until ${rfc3339(h.until)}` : ''}: "${h.reason}"`;
    }
  }
}

/** One-line timeline summaries of every job event type, by type. */
export const JOB_EVENT_SUMMARIES: Readonly<Record<string, (e: RecordedEvent) => string>> = Object.fromEntries([
  ...[
    'RunEnqueued',
    'RunClaimed',
    'RunSucceeded',
    'RunFailed',
    'RetryScheduled',
    'RunDeadLettered',
    'CancelRequested',
    'RunCancelled',
    'RunExpired',
    'RunAbandoned',
  ].map((t) => [t, runLine] as const),
  ...['WorkerStarted', 'WorkerStopped', 'WorkerReaped'].map((t) => [t, workerLine] as const),
  ...['JobDefined', 'JobChanged', 'JobRemoved', 'TickMissed', 'TickSkipped'].map((t) => [t, definitionLine] as const),
]);
