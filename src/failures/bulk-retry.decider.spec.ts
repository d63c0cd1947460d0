import { spec } from '../../test/support/given';
import type { JobDefinitionSnapshot } from '../jobs/events/job-definition';
import { errorSignature } from '../shared/error-signature';
import { bulkRetryDecider, decideBulkRetry, RetryFailures, RunFactWithStream } from './bulk-retry.decider';

const T0 = '2026-03-01T10:00:00.000Z';
const def = (over: Partial<JobDefinitionSnapshot> = {}): JobDefinitionSnapshot => ({
  name: 'sync',
  description: '',
  owner: null,
  schedule: 'on-demand',
  timezone: 'UTC',
  priority: 'normal',
  manualRun: true,
  cancellable: true,
  targetDurationMs: null,
  timeoutMs: 60_000,
  maxAttempts: 1,
  backoff: { kind: 'fixed', baseMs: 1000, maxMs: 1000 },
  expiresAfterMs: null,
  tenant: null,
  catchUp: 'once',
  handler: { kind: 'code', handler: 'sync' },
  ...over,
});
const ev = (runId: string, type: string, data: Record<string, unknown>): RunFactWithStream => ({
  streamId: `job-${runId}`,
  type,
  data,
  metadata: { occurredAt: T0 },
  recordedAt: new Date(T0),
});
const enqueued = (runId: string, over: Record<string, unknown> = {}) =>
  ev(runId, 'RunEnqueued', {
    runId,
    job: 'sync',
    trigger: 'manual',
    actor: 'ann',
    reason: 'test',
    params: { n: 1 },
    tenant: null,
    priority: 'normal',
    attempt: 1,
    maxAttempts: 1,
    timeoutMs: 60_000,
    cancellable: true,
    backoff: { kind: 'fixed', baseMs: 1000, maxMs: 1000 },
    enqueuedAt: T0,
    readyAt: T0,
    expiresAt: null,
    scheduledFor: null,
    retryOf: null,
    ...over,
  });
/** A run that failed once and for all with `error`. */
const failedRun = (runId: string, error: string, over: Record<string, unknown> = {}) => [
  enqueued(runId, over),
  ev(runId, 'RunClaimed', { workerId: 'w', attempt: 1, claimedAt: T0 }),
  ev(runId, 'RunFailed', { workerId: 'w', attempt: 1, finishedAt: T0, durationMs: 5, exitCode: null, logTail: '', error }),
  ev(runId, 'RunDeadLettered', { attempts: 1, reason: error, at: T0 }),
];
const REFUSED = errorSignature('connection refused 10.0.0.1:5432 after 3012 ms');
const cmd = (over: Partial<RetryFailures> = {}): RetryFailures => ({
  type: 'RetryFailures',
  selection: { signature: REFUSED, scope: null },
  definition: (job) =>
    job === 'sync'
      ? def()
      : job === 'acme-sync'
        ? def({ name: 'acme-sync', tenant: 'acme' })
        : job === 'once'
          ? def({ name: 'once', manualRun: false, schedule: '0 3 * * *' })
          : null,
  cap: 10,
  confirm: null,
  actor: 'alice',
  reason: 'database is back',
  now: new Date('2026-03-01T11:00:00.000Z'),
  newRunId: (original) => `retry-of-${original}`,
  ...over,
});

const { given } = spec(bulkRetryDecider);
const r1 = failedRun('r1', 'connection refused 10.0.0.1:5432 after 3012 ms');
const r2 = failedRun('r2', 'connection refused 10.0.0.7:5433 after 15 ms');
const r3 = failedRun('r3', 'Connection refused 192.168.1.20:6543 after 120000 ms');
const other = failedRun('r4', 'disk full');

describe('bulk retry decider', () => {
  it('given three variants of one failure and another failure, when confirmed with 3, then one retry run each for the three, same params, trigger retry', () => {
    const events = given(...r1, ...r2, ...r3, ...other)
      .when(cmd({ confirm: 3 }))
      .then([expect.anything(), expect.anything(), expect.anything()] as never);
    expect(events.map((e) => e.data)).toEqual(
      ['r1', 'r2', 'r3'].map((id) =>
        expect.objectContaining({ runId: `retry-of-${id}`, retryOf: id, trigger: 'retry', actor: 'alice', reason: 'database is back', params: { n: 1 } }),
      ),
    );
  });

  it('a wrong confirmation is refused naming confirm; more than the cap naming cap', () => {
    given(...r1, ...r2, ...r3)
      .when(cmd({ confirm: 2 }))
      .thenRejects('conflict', 'confirm');
    given(...r1, ...r2, ...r3)
      .when(cmd({ confirm: 3, cap: 2 }))
      .thenRejects('conflict', 'cap');
  });

  it('no failed run of the signature (or none in the selection) is not_found', () => {
    given(...other)
      .when(cmd({ confirm: 0 }))
      .thenRejects('not_found');
    given(...r1)
      .when(cmd({ confirm: 1, selection: { signature: REFUSED, scope: null, job: 'nightly' } }))
      .thenRejects('not_found');
    given(...r1)
      .when(cmd({ confirm: 1, selection: { signature: REFUSED, scope: null, from: new Date('2026-03-01T10:00:01Z') } }))
      .thenRejects('not_found');
  });

  it('reports instead of retrying: already retried, job gone, manualRun=false; the count to confirm is what is retried', () => {
    const retried = enqueued('r9', { retryOf: 'r1' });
    const gone = failedRun('g1', 'connection refused 10.0.0.2:5432 after 1 ms', { job: 'removed-job' });
    const once = failedRun('o1', 'connection refused 10.0.0.3:5432 after 2 ms', { job: 'once' });
    const state = given(...r1, retried, ...r2, ...gone, ...once).state;
    const plan = decideBulkRetry(cmd({ confirm: 1 }), state);
    if ('rejected' in plan) throw new Error(plan.reason);
    expect(plan.retry.map((r) => r.original.runId)).toEqual(['r2']);
    expect(plan.notRetried).toEqual([
      { runId: 'g1', job: 'removed-job', reason: expect.stringContaining('no longer defined') },
      { runId: 'o1', job: 'once', reason: expect.stringContaining('manualRun=false') },
      { runId: 'r1', job: 'sync', reason: 'already retried by run r9' },
    ]);
  });

  it("a tenant-scoped caller selects its tenant's runs only and does not retry a shared job's run", () => {
    const acme = failedRun('a1', 'connection refused 10.0.0.5:5432 after 9 ms', { job: 'acme-sync', tenant: 'acme' });
    const shared = failedRun('s1', 'connection refused 10.0.0.6:5432 after 9 ms', { tenant: 'acme' });
    const globex = failedRun('x1', 'connection refused 10.0.0.8:5432 after 9 ms', { job: 'acme-sync', tenant: 'globex' });
    const state = given(...acme, ...shared, ...globex, ...r1).state;
    const plan = decideBulkRetry(cmd({ confirm: 1, selection: { signature: REFUSED, scope: 'acme' } }), state);
    if ('rejected' in plan) throw new Error(plan.reason);
    expect(plan.retry.map((r) => r.original.runId)).toEqual(['a1']);
    expect(plan.notRetried).toEqual([{ runId: 's1', job: 'sync', reason: expect.stringContaining('shared by every tenant') }]);
  });

  it('a dry run (no confirmation) plans without holding to the cap', () => {
    const plan = decideBulkRetry(cmd({ cap: 1 }), given(...r1, ...r2).state);
    if ('rejected' in plan) throw new Error(plan.reason);
    expect(plan.retry).toHaveLength(2);
  });
});
