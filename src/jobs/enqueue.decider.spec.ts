import type { JobDefinitionSnapshot } from './definitions/job-definition';
import { decideEnqueue, decideRetry } from './enqueue.decider';

const now = new Date('2025-03-01T10:00:00.000Z');
const def = (over: Partial<JobDefinitionSnapshot> = {}): JobDefinitionSnapshot => ({
  name: 'daily-mrr-rollup', description: '', owner: 'finance', schedule: '0 2 * * *', timezone: 'UTC', priority: 'high', manualRun: true, cancellable: false,
  targetDurationMs: null, timeoutMs: 60_000, maxAttempts: 3, backoff: { kind: 'fixed', baseMs: 5, maxMs: 5 }, expiresAfterMs: 30_000,
  tenant: null, catchUp: 'once', handler: { kind: 'code', handler: 'x' }, ...over,
});
const req = { runId: 'r1', actor: 'ann', reason: 'why', params: {}, now };

describe('enqueue decider', () => {
  it('given a job, when run manually, then RunEnqueued copies the definition and sets expiry', () => {
    const d = decideEnqueue(def(), { ...req, trigger: 'manual', params: { tenant: 'acme', dryRun: true } });
    expect(d.ok && d.events[0].data).toMatchObject({ job: 'daily-mrr-rollup', trigger: 'manual', priority: 'high', maxAttempts: 3, tenant: 'acme', readyAt: now.toISOString(), expiresAt: '2025-03-01T10:00:30.000Z', params: { tenant: 'acme', dryRun: true } });
  });

  it('given manualRun=false, run-now and retry are conflicts that say why; the schedule still enqueues', () => {
    const guarded = def({ manualRun: false });
    expect(decideEnqueue(guarded, { ...req, trigger: 'manual' })).toEqual({ ok: false, code: 'conflict', reason: expect.stringContaining('manualRun=false') });
    expect(decideRetry(guarded, { runId: 'r0', state: 'failed', params: {}, job: 'daily-mrr-rollup' }, req)).toMatchObject({ ok: false, code: 'conflict' });
    expect(decideEnqueue(guarded, { ...req, trigger: 'schedule', scheduledFor: now }).ok).toBe(true);
  });

  it('given an unknown job, not_found', () => {
    expect(decideEnqueue(null, { ...req, trigger: 'manual' })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('retry takes the original params unless adjusted, and only for ended runs', () => {
    const original = { runId: 'r0', state: 'failed' as const, params: { from: '2025-01-01' }, job: 'daily-mrr-rollup' };
    const { params: _none, ...noParams } = req;
    const same = decideRetry(def(), original, noParams);
    expect(same.ok && same.events[0].data).toMatchObject({ trigger: 'retry', retryOf: 'r0', params: { from: '2025-01-01' } });
    const adjusted = decideRetry(def(), original, { ...req, params: { from: '2025-02-01' } });
    expect(adjusted.ok && adjusted.events[0].data.params).toEqual({ from: '2025-02-01' });
    expect(decideRetry(def(), { ...original, state: 'running' as never }, req)).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('a tenant-scoped job refuses another tenant', () => {
    expect(decideEnqueue(def({ tenant: 'acme' }), { ...req, trigger: 'manual', params: { tenant: 'other' } })).toMatchObject({ ok: false, code: 'conflict' });
  });
});
