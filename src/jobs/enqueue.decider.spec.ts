import { spec } from '../../test/support/given';
import type { JobDefinitionSnapshot } from './events/job-definition';
import type { EnqueueRun, RetryRun } from './enqueue.decider';
import { runDecider } from './run.decider';

const now = new Date('2025-03-01T10:00:00.000Z');
const def = (over: Partial<JobDefinitionSnapshot> = {}): JobDefinitionSnapshot => ({
  name: 'daily-mrr-rollup',
  description: '',
  owner: 'finance',
  schedule: '0 2 * * *',
  timezone: 'UTC',
  priority: 'high',
  manualRun: true,
  cancellable: false,
  targetDurationMs: null,
  timeoutMs: 60_000,
  maxAttempts: 3,
  backoff: { kind: 'fixed', baseMs: 5, maxMs: 5 },
  expiresAfterMs: 30_000,
  tenant: null,
  catchUp: 'once',
  handler: { kind: 'code', handler: 'x' },
  ...over,
});
const req = { runId: 'r1', actor: 'ann', reason: 'why', params: {}, now };
const enqueue = (definition: JobDefinitionSnapshot | null, over: Partial<EnqueueRun> = {}): EnqueueRun => ({
  type: 'Enqueue',
  definition,
  trigger: 'manual',
  ...req,
  ...over,
});
const retry = (definition: JobDefinitionSnapshot | null, original: RetryRun['original'], over: Partial<RetryRun> = {}): RetryRun => ({
  type: 'Retry',
  definition,
  original,
  ...req,
  ...over,
});

// A new run: no history.
const { given } = spec(runDecider);

describe('enqueue decider', () => {
  it('given a job, when run manually, then RunEnqueued copies the definition and sets expiry', () => {
    const [e] = given()
      .when(enqueue(def(), { params: { tenant: 'acme', dryRun: true } }))
      .then([expect.objectContaining({ type: 'RunEnqueued' })]);
    expect(e.data).toMatchObject({
      job: 'daily-mrr-rollup',
      trigger: 'manual',
      priority: 'high',
      maxAttempts: 3,
      tenant: 'acme',
      readyAt: now.toISOString(),
      expiresAt: '2025-03-01T10:00:30.000Z',
      params: { tenant: 'acme', dryRun: true },
    });
  });

  it('given manualRun=false, run-now and retry are conflicts that say why; the schedule still enqueues', () => {
    const guarded = def({ manualRun: false });
    expect(given().when(enqueue(guarded)).thenRejects('conflict').reason).toEqual(expect.stringContaining('manualRun=false'));
    given()
      .when(retry(guarded, { runId: 'r0', state: 'failed', params: {}, job: 'daily-mrr-rollup' }))
      .thenRejects('conflict');
    given()
      .when(enqueue(guarded, { trigger: 'schedule', scheduledFor: now }))
      .then([expect.objectContaining({ type: 'RunEnqueued' })]);
  });

  it('given an unknown job, not_found', () => {
    given().when(enqueue(null)).thenRejects('not_found');
  });

  it('retry takes the original params unless adjusted, and only for ended runs', () => {
    const original = { runId: 'r0', state: 'failed' as const, params: { from: '2025-01-01' }, job: 'daily-mrr-rollup' };
    const { params: _none, ...noParams } = retry(def(), original);
    const [same] = given()
      .when(noParams)
      .then([expect.objectContaining({ type: 'RunEnqueued' })]);
    expect(same.data).toMatchObject({ trigger: 'retry', retryOf: 'r0', params: { from: '2025-01-01' } });
    const [adjusted] = given()
      .when(retry(def(), original, { params: { from: '2025-02-01' } }))
      .then([expect.objectContaining({ type: 'RunEnqueued' })]);
    expect(adjusted.type === 'RunEnqueued' && adjusted.data.params).toEqual({ from: '2025-02-01' });
    given()
      .when(retry(def(), { ...original, state: 'running' as never }))
      .thenRejects('conflict');
  });

  it('a tenant-scoped job refuses another tenant', () => {
    given()
      .when(enqueue(def({ tenant: 'acme' }), { params: { tenant: 'other' } }))
      .thenRejects('conflict');
  });

  it('a held job (paused, or its tenant paused): manual runs and retries refused naming the hold, unless an admin forces it (marked forced); cron is not judged here', () => {
    const hold = {
      source: 'pause',
      scope: 'job' as const,
      subject: 'daily-mrr-rollup',
      tenant: null,
      reason: 'deploy',
      by: 'alice',
      since: '2025-03-01T09:00:00.000Z',
      until: null,
    };
    const r = given().when(enqueue(def(), { hold })).thenRejects('conflict');
    expect(r.reason).toBe(
      'job "daily-mrr-rollup" is paused by alice since 2025-03-01T09:00:00.000Z: "deploy"; resume it first, or an admin may run it anyway with force: true',
    );
    expect(
      given()
        .when(enqueue(def(), { hold, force: true, actorIsAdmin: false }))
        .thenRejects('conflict').reason,
    ).toContain('(force needs the admin role)');
    const forced = given().when(enqueue(def(), { hold, force: true, actorIsAdmin: true })).decision;
    expect(forced).toEqual([expect.objectContaining({ type: 'RunEnqueued', data: expect.objectContaining({ forced: true }) })]);
    // Without a hold, force changes nothing; a scheduled tick is the cron ticker's business (TickSkipped).
    expect((given().when(enqueue(def(), { force: true, actorIsAdmin: true })).decision as unknown as { data: object }[])[0].data).not.toHaveProperty('forced');
    expect(given().when(enqueue(def(), { hold, trigger: 'schedule' })).decision).toHaveLength(1);
    given()
      .when(retry(def(), { runId: 'r0', state: 'failed', params: {}, job: 'daily-mrr-rollup' }, { hold }))
      .thenRejects('conflict');
  });
});
