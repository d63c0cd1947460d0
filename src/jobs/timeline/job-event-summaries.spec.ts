import type { RecordedEvent } from '../../event-store/envelope';
import { RUN_EVENT_TYPES } from '../events/run.events';
import { JOB_DEFINITION_EVENT_TYPES } from '../events/job-definition.events';
import { JOB_EVENT_SUMMARIES } from './job-event-summaries';

const RUN = '1a2b3c4d-0000-4000-8000-000000000001';
const ev = (type: string, data: unknown, streamId = `job-${RUN}`): RecordedEvent => ({
  eventId: 'e',
  streamId,
  revision: 0n,
  position: 0n,
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: '' },
  recordedAt: new Date(0),
  checkpoint: '',
});
const say = (e: RecordedEvent) => JOB_EVENT_SUMMARIES[e.type](e);

describe('job event summaries', () => {
  it('covers every run, worker and definition event type', () => {
    for (const t of [...RUN_EVENT_TYPES, ...JOB_DEFINITION_EVENT_TYPES, 'WorkerStarted', 'WorkerStopped', 'WorkerReaped'])
      expect(JOB_EVENT_SUMMARIES[t]).toBeDefined();
  });

  it('given a manual enqueue, names the job, the short run id, who, how and why', () => {
    expect(say(ev('RunEnqueued', { runId: RUN, job: 'nightly-report', trigger: 'manual', actor: 'alice', reason: 're-run after fix' }))).toBe(
      "nightly-report run 1a2b3c4d… enqueued by alice (manual): 're-run after fix'",
    );
  });

  it('given a failure, says after how long and why', () => {
    expect(say(ev('RunFailed', { job: 'nightly-report', workerId: 'w', attempt: 1, durationMs: 5100, exitCode: 2, error: 'x' }))).toBe(
      'nightly-report run 1a2b3c4d… failed after 5.1 s: exit code 2',
    );
    expect(say(ev('RunFailed', { job: 'sync', workerId: 'w', attempt: 1, durationMs: 600, exitCode: null, error: 'timeout after 600 ms' }))).toBe(
      'sync run 1a2b3c4d… failed after 0.6 s: timeout after 600 ms',
    );
  });

  it('given an event recorded before runs carried their job, falls back to the run id', () => {
    expect(say(ev('RunClaimed', { workerId: 'host-1-ab', attempt: 1, claimedAt: '' }))).toBe('run 1a2b3c4d… claimed by worker host-1-ab (attempt 1)');
  });

  it('given worker reaping and a missed tick, tells what happened to the runs', () => {
    expect(
      say(ev('WorkerReaped', { workerId: 'h-1', at: '', lastSeen: '2025-03-01T10:00:00.000Z', reapedBy: 'h-2', abandonedRuns: ['a', 'b'] }, 'worker-h-1')),
    ).toBe('worker h-1 reaped by h-2 (last seen 2025-03-01T10:00:00Z); 2 run(s) abandoned');
    expect(say(ev('TickMissed', { job: 'nightly', tick: '2025-03-01T02:00:00.000Z', detectedAt: '', policy: 'once', caughtUpBy: RUN }, 'jobdef-nightly'))).toBe(
      `nightly missed tick 2025-03-01T02:00:00Z (process down?); caught up by run 1a2b3c4d…`,
    );
  });
});
