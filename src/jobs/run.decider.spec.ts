import { spec } from '../../test/support/given';
import { eventsOrThrow } from '../shared/decider';
import type { JobDefinitionSnapshot } from './events/job-definition';
import type { RunEvent } from './events/run.events';
import { runDecider } from './run.decider';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const def = (over: Partial<JobDefinitionSnapshot> = {}): JobDefinitionSnapshot => ({
  name: 'nightly',
  description: '',
  owner: null,
  schedule: 'on-demand',
  timezone: 'UTC',
  priority: 'normal',
  manualRun: true,
  cancellable: true,
  targetDurationMs: null,
  timeoutMs: 60_000,
  maxAttempts: 2,
  backoff: { kind: 'exponential', baseMs: 1000, maxMs: 10_000 },
  expiresAfterMs: null,
  tenant: null,
  catchUp: 'once',
  handler: { kind: 'code', handler: 'nightly' },
  ...over,
});

const { given } = spec(runDecider);
const enqueued = (over: Partial<JobDefinitionSnapshot> = {}): RunEvent =>
  eventsOrThrow(
    runDecider.decide({ type: 'Enqueue', definition: def(over), runId: 'r1', trigger: 'manual', actor: 'ann', reason: 'test', params: {}, now: T0 }, null),
  )[0];
const claimed = (attempt = 1): RunEvent => ({ type: 'RunClaimed', data: { workerId: 'w1', attempt, claimedAt: at(1).toISOString() } });
const outcome = (error: string | null = null) => ({ finishedAt: at(5).toISOString(), durationMs: 4000, exitCode: error ? 1 : 0, logTail: 'out', error });
/** An event of this type, whatever its data (the data is asserted where it matters). */
const ofType = (type: RunEvent['type']) => expect.objectContaining({ type });

describe('run decider', () => {
  it('given an enqueued run, when a worker claims it, then RunClaimed for attempt 1', () => {
    given(enqueued())
      .when({ type: 'Claim', workerId: 'w1', now: at(1) })
      .then([{ type: 'RunClaimed', data: { workerId: 'w1', attempt: 1, claimedAt: at(1).toISOString(), job: 'nightly' } }]);
  });

  it('given a claimed run, a second claim is stale: two workers never own one run', () => {
    expect(
      given(enqueued(), claimed())
        .when({ type: 'Claim', workerId: 'w2', now: at(2) })
        .thenRejects('conflict').reason,
    ).toBe('run is running, not waiting');
  });

  it('given an expired queued run, when claimed, then RunExpired instead', () => {
    given(enqueued({ expiresAfterMs: 1000 }))
      .when({ type: 'Claim', workerId: 'w1', now: at(2) })
      .then([ofType('RunExpired')]);
  });

  it('given a running run, when its worker succeeds, then RunSucceeded; another worker is stale', () => {
    given(enqueued(), claimed())
      .when({ type: 'Succeed', workerId: 'w1', attempt: 1, outcome: outcome() })
      .then([ofType('RunSucceeded')]);
    expect(given(enqueued(), claimed()).when({ type: 'Succeed', workerId: 'w2', attempt: 1, outcome: outcome() }).thenRejects('conflict').reason).toMatch(
      /^worker w2 no longer owns attempt 1/,
    );
  });

  it('given attempt 1 of 2 fails, then a retry is scheduled after the backoff; attempt 2 failing dead-letters', () => {
    const retry = given(enqueued(), claimed())
      .when({ type: 'Fail', workerId: 'w1', attempt: 1, outcome: outcome('boom') })
      .then([
        { type: 'RunFailed', data: expect.objectContaining({ error: 'boom', attempt: 1 }) },
        { type: 'RetryScheduled', data: { attempt: 2, readyAt: at(6).toISOString(), backoffMs: 1000, job: 'nightly' } },
      ]);
    const g2 = given(enqueued(), claimed(), ...retry, claimed(2));
    expect(g2.state?.state).toBe('running');
    g2.when({ type: 'Fail', workerId: 'w1', attempt: 2, outcome: outcome('again') }).then([ofType('RunFailed'), ofType('RunDeadLettered')]);
  });

  it('given a failure the egress policy caused (blocked_by_policy), the run is dead-lettered at once with attempts left', () => {
    const blocked = {
      ...outcome('blocked_by_policy: egress policy refused 127.0.0.1:8080 (loopback)'),
      exitCode: null,
      errorKind: 'blocked_by_policy' as const,
    };
    given(enqueued({ maxAttempts: 5 }), claimed())
      .when({ type: 'Fail', workerId: 'w1', attempt: 1, outcome: blocked })
      .then([
        { type: 'RunFailed', data: expect.objectContaining({ errorKind: 'blocked_by_policy', attempt: 1 }) },
        { type: 'RunDeadLettered', data: { attempts: 1, reason: 'blocked_by_policy', at: at(5).toISOString(), job: 'nightly' } },
      ]);
  });

  it('given a non-cancellable job, cancel is a conflict that says why', () => {
    const r = given(enqueued({ cancellable: false }))
      .when({ type: 'RequestCancel', actor: 'ann', reason: 'x', now: at(1) })
      .thenRejects('conflict');
    expect(r.reason).toEqual(expect.stringContaining('not cancellable'));
  });

  it('given a waiting cancellable run, cancel ends it at once; a running one waits for the worker', () => {
    given(enqueued())
      .when({ type: 'RequestCancel', actor: 'ann', reason: 'x', now: at(1) })
      .then([ofType('CancelRequested'), ofType('RunCancelled')]);
    given(enqueued(), claimed())
      .when({ type: 'RequestCancel', actor: 'ann', reason: 'x', now: at(2) })
      .then([ofType('CancelRequested')]);
    const cancelling = given(enqueued(), claimed(), { type: 'CancelRequested', data: { actor: 'ann', reason: 'x', at: at(2).toISOString() } });
    expect(cancelling.state?.state).toBe('cancelling');
    cancelling.when({ type: 'ConfirmCancel', workerId: 'w1', attempt: 1, outcome: outcome() }).then([ofType('RunCancelled')]);
    // A failure while cancelling is not retried.
    cancelling.when({ type: 'Fail', workerId: 'w1', attempt: 1, outcome: outcome('aborted') }).then([ofType('RunFailed'), ofType('RunCancelled')]);
  });

  it('given a run of a lost worker, abandon retries while attempts remain, then dead-letters', () => {
    given(enqueued(), claimed())
      .when({ type: 'Abandon', workerId: 'w1', reason: 'worker lost', now: at(9), countsAsAttempt: true })
      .then([ofType('RunAbandoned'), ofType('RetryScheduled')]);
    given(enqueued({ maxAttempts: 1 }), claimed())
      .when({ type: 'Abandon', workerId: 'w1', reason: 'worker lost', now: at(9), countsAsAttempt: true })
      .then([ofType('RunAbandoned'), ofType('RunDeadLettered')]);
    expect(
      given(enqueued(), claimed())
        .when({ type: 'Abandon', workerId: 'w9', reason: 'x', now: at(9), countsAsAttempt: true })
        .thenRejects('conflict').reason,
    ).toBe('run belongs to w1, not w9');
  });

  it('given a graceful release, the attempt is given back and the run is ready at once', () => {
    const events = given(enqueued(), claimed())
      .when({ type: 'Abandon', workerId: 'w1', reason: 'shutdown', now: at(9), countsAsAttempt: false })
      .then([ofType('RunAbandoned'), ofType('RetryScheduled')]);
    expect(events[1]).toEqual({ type: 'RetryScheduled', data: { attempt: 1, readyAt: at(9).toISOString(), backoffMs: 0, job: 'nightly' } });
  });

  it('janitor: force-fail only running runs; force-cancel only waiting ones', () => {
    given(enqueued(), claimed())
      .when({ type: 'ForceFail', reason: 'stuck', now: at(100) })
      .then([ofType('RunFailed'), ofType('RunDeadLettered')]);
    expect(
      given(enqueued())
        .when({ type: 'ForceFail', reason: 'stuck', now: at(100) })
        .thenRejects('conflict').reason,
    ).toBe('run is pending, not running');
    given(enqueued())
      .when({ type: 'ForceCancel', reason: 'old', by: 'janitor', now: at(100) })
      .then([ofType('RunCancelled')]);
    expect(
      given(enqueued(), claimed())
        .when({ type: 'ForceCancel', reason: 'old', by: 'janitor', now: at(100) })
        .thenRejects('conflict').reason,
    ).toBe('run is running, not waiting');
  });

  it('given no run, every command is not_found', () => {
    given().when({ type: 'Expire', now: T0 }).thenRejects('not_found');
  });

  it('given a run, enqueueing it again is a conflict', () => {
    given(enqueued())
      .when({ type: 'Enqueue', definition: def(), runId: 'r1', trigger: 'manual', actor: 'ann', reason: 'again', params: {}, now: T0 })
      .thenRejects('conflict');
  });
});
