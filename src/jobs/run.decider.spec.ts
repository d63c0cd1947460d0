import { foldInMemory } from '../../projections/projection';
import { jobRunsProjection } from '../../projections/job-runs/job-runs.projection';
import type { RunRow } from '../../projections/job-runs/run-row';
import type { RecordedEvent } from '../event-store/envelope';
import type { JobDefinitionSnapshot } from './definitions/job-definition';
import { decideEnqueue } from './enqueue.decider';
import type { RunEvent } from './events/run.events';
import { decideRun, RunCommand } from './run.decider';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const def = (over: Partial<JobDefinitionSnapshot> = {}): JobDefinitionSnapshot => ({
  name: 'nightly', description: '', owner: null, schedule: 'on-demand', timezone: 'UTC', priority: 'normal', manualRun: true, cancellable: true,
  targetDurationMs: null, timeoutMs: 60_000, maxAttempts: 2, backoff: { kind: 'exponential', baseMs: 1000, maxMs: 10_000 }, expiresAfterMs: null,
  tenant: null, catchUp: 'once', handler: { kind: 'code', handler: 'nightly' }, ...over,
});

let rev = 0n;
const record = (e: RunEvent): RecordedEvent => ({ eventId: String(rev), streamId: 'job-r1', revision: rev, position: rev++, type: e.type, schemaVersion: 1, data: e.data, metadata: { occurredAt: T0.toISOString() }, recordedAt: T0, checkpoint: '' });

/** given: past events; when: a command; then: the new events (or the rejection). */
function given(events: RunEvent[]) {
  const state = foldInMemory(jobRunsProjection, events.map(record)).get('r1') ?? null;
  return { state, when: (cmd: RunCommand) => decideRun(state, cmd) };
}
const enqueued = (over: Partial<JobDefinitionSnapshot> = {}): RunEvent => {
  const d = decideEnqueue(def(over), { runId: 'r1', trigger: 'manual', actor: 'ann', reason: 'test', params: {}, now: T0 });
  if (!d.ok) throw new Error(d.reason);
  return d.events[0];
};
const claimed = (attempt = 1): RunEvent => ({ type: 'RunClaimed', data: { workerId: 'w1', attempt, claimedAt: at(1).toISOString() } });
const outcome = (error: string | null = null) => ({ finishedAt: at(5).toISOString(), durationMs: 4000, exitCode: error ? 1 : 0, logTail: 'out', error });
const types = (d: ReturnType<typeof decideRun>) => (d.ok ? d.events.map((e) => e.type) : d.code);

describe('run decider', () => {
  it('given an enqueued run, when a worker claims it, then RunClaimed for attempt 1', () => {
    const d = given([enqueued()]).when({ type: 'Claim', workerId: 'w1', now: at(1) });
    expect(d).toEqual({ ok: true, events: [{ type: 'RunClaimed', data: { workerId: 'w1', attempt: 1, claimedAt: at(1).toISOString(), job: 'nightly' } }] });
  });

  it('given a claimed run, a second claim is stale: two workers never own one run', () => {
    expect(types(given([enqueued(), claimed()]).when({ type: 'Claim', workerId: 'w2', now: at(2) }))).toBe('stale');
  });

  it('given an expired queued run, when claimed, then RunExpired instead', () => {
    expect(types(given([enqueued({ expiresAfterMs: 1000 })]).when({ type: 'Claim', workerId: 'w1', now: at(2) }))).toEqual(['RunExpired']);
  });

  it('given a running run, when its worker succeeds, then RunSucceeded; another worker is stale', () => {
    const g = given([enqueued(), claimed()]);
    expect(types(g.when({ type: 'Succeed', workerId: 'w1', attempt: 1, outcome: outcome() }))).toEqual(['RunSucceeded']);
    expect(types(g.when({ type: 'Succeed', workerId: 'w2', attempt: 1, outcome: outcome() }))).toBe('stale');
  });

  it('given attempt 1 of 2 fails, then a retry is scheduled after the backoff; attempt 2 failing dead-letters', () => {
    const d = given([enqueued(), claimed()]).when({ type: 'Fail', workerId: 'w1', attempt: 1, outcome: outcome('boom') });
    expect(d.ok && d.events).toEqual([
      { type: 'RunFailed', data: expect.objectContaining({ error: 'boom', attempt: 1 }) },
      { type: 'RetryScheduled', data: { attempt: 2, readyAt: at(6).toISOString(), backoffMs: 1000, job: 'nightly' } },
    ]);
    const retry = (d as { events: RunEvent[] }).events;
    const g2 = given([enqueued(), claimed(), ...retry, claimed(2)]);
    expect(g2.state?.state).toBe('running');
    expect(types(g2.when({ type: 'Fail', workerId: 'w1', attempt: 2, outcome: outcome('again') }))).toEqual(['RunFailed', 'RunDeadLettered']);
  });

  it('given a failure the egress policy caused (blocked_by_policy), the run is dead-lettered at once with attempts left', () => {
    const blocked = { ...outcome('blocked_by_policy: egress policy refused 127.0.0.1:8080 (loopback)'), exitCode: null, errorKind: 'blocked_by_policy' as const };
    const d = given([enqueued({ maxAttempts: 5 }), claimed()]).when({ type: 'Fail', workerId: 'w1', attempt: 1, outcome: blocked });
    expect(d.ok && d.events).toEqual([
      { type: 'RunFailed', data: expect.objectContaining({ errorKind: 'blocked_by_policy', attempt: 1 }) },
      { type: 'RunDeadLettered', data: { attempts: 1, reason: 'blocked_by_policy', at: at(5).toISOString(), job: 'nightly' } },
    ]);
  });

  it('given a non-cancellable job, cancel is a conflict that says why', () => {
    const d = given([enqueued({ cancellable: false })]).when({ type: 'RequestCancel', actor: 'ann', reason: 'x', now: at(1) });
    expect(d).toEqual({ ok: false, code: 'conflict', reason: expect.stringContaining('not cancellable') });
  });

  it('given a waiting cancellable run, cancel ends it at once; a running one waits for the worker', () => {
    expect(types(given([enqueued()]).when({ type: 'RequestCancel', actor: 'ann', reason: 'x', now: at(1) }))).toEqual(['CancelRequested', 'RunCancelled']);
    const g = given([enqueued(), claimed()]);
    expect(types(g.when({ type: 'RequestCancel', actor: 'ann', reason: 'x', now: at(2) }))).toEqual(['CancelRequested']);
    const cancelling = given([enqueued(), claimed(), { type: 'CancelRequested', data: { actor: 'ann', reason: 'x', at: at(2).toISOString() } }]);
    expect(cancelling.state?.state).toBe('cancelling');
    expect(types(cancelling.when({ type: 'ConfirmCancel', workerId: 'w1', attempt: 1, outcome: outcome() }))).toEqual(['RunCancelled']);
    // A failure while cancelling is not retried.
    expect(types(cancelling.when({ type: 'Fail', workerId: 'w1', attempt: 1, outcome: outcome('aborted') }))).toEqual(['RunFailed', 'RunCancelled']);
  });

  it('given a run of a lost worker, abandon retries while attempts remain, then dead-letters', () => {
    expect(types(given([enqueued(), claimed()]).when({ type: 'Abandon', workerId: 'w1', reason: 'worker lost', now: at(9), countsAsAttempt: true }))).toEqual(['RunAbandoned', 'RetryScheduled']);
    expect(types(given([enqueued({ maxAttempts: 1 }), claimed()]).when({ type: 'Abandon', workerId: 'w1', reason: 'worker lost', now: at(9), countsAsAttempt: true }))).toEqual(['RunAbandoned', 'RunDeadLettered']);
    expect(types(given([enqueued(), claimed()]).when({ type: 'Abandon', workerId: 'w9', reason: 'x', now: at(9), countsAsAttempt: true }))).toBe('stale');
  });

  it('given a graceful release, the attempt is given back and the run is ready at once', () => {
    const d = given([enqueued(), claimed()]).when({ type: 'Abandon', workerId: 'w1', reason: 'shutdown', now: at(9), countsAsAttempt: false });
    expect(d.ok && d.events[1]).toEqual({ type: 'RetryScheduled', data: { attempt: 1, readyAt: at(9).toISOString(), backoffMs: 0, job: 'nightly' } });
  });

  it('janitor: force-fail only running runs; force-cancel only waiting ones', () => {
    expect(types(given([enqueued(), claimed()]).when({ type: 'ForceFail', reason: 'stuck', now: at(100) }))).toEqual(['RunFailed', 'RunDeadLettered']);
    expect(types(given([enqueued()]).when({ type: 'ForceFail', reason: 'stuck', now: at(100) }))).toBe('stale');
    expect(types(given([enqueued()]).when({ type: 'ForceCancel', reason: 'old', by: 'janitor', now: at(100) }))).toEqual(['RunCancelled']);
    expect(types(given([enqueued(), claimed()]).when({ type: 'ForceCancel', reason: 'old', by: 'janitor', now: at(100) }))).toBe('stale');
  });

  it('given no run, every command is not_found', () => {
    expect(types(decideRun(null, { type: 'Expire', now: T0 }))).toBe('not_found');
  });
});
