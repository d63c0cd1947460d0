import { failedRunsOf, failuresSinceLastSuccess, lastSuccessesOf } from './failed-runs';
import type { RunLike } from './run-aggregates';

const f = (runId: string, job: string, finishedAt: string, tenant: string | null = null, error: string | null = 'exit code 1') => ({
  runId,
  job,
  tenant,
  finishedAt,
  error,
});
const ok = (job: string, at: string, tenant: string | null = null) => ({ job, tenant, at });

describe('failuresSinceLastSuccess: failed runs not resolved by a later success of the same job and tenant', () => {
  it('a later success of the job resolves every earlier failure; failures after it stay', () => {
    const groups = failuresSinceLastSuccess(
      [f('r1', 'sync', '2026-03-02T01:00:00Z'), f('r2', 'sync', '2026-03-02T02:00:00Z'), f('r3', 'sync', '2026-03-02T04:00:00Z')],
      [ok('sync', '2026-03-02T03:00:00Z')],
    );
    expect(groups).toEqual([
      {
        job: 'sync',
        tenant: null,
        failures: 1,
        firstFailedAt: '2026-03-02T04:00:00Z',
        lastFailedAt: '2026-03-02T04:00:00Z',
        lastRunId: 'r3',
        lastError: 'exit code 1',
      },
    ]);
  });

  it('a success before the failure, of another job, or of another tenant resolves nothing', () => {
    const groups = failuresSinceLastSuccess(
      [f('a1', 'sync', '2026-03-02T02:00:00Z', 'acme'), f('a2', 'sync', '2026-03-02T05:00:00Z', 'acme', 'timeout')],
      [ok('sync', '2026-03-02T01:00:00Z', 'acme'), ok('sync', '2026-03-02T09:00:00Z', 'globex'), ok('report', '2026-03-02T09:00:00Z', 'acme')],
    );
    expect(groups).toEqual([
      {
        job: 'sync',
        tenant: 'acme',
        failures: 2,
        firstFailedAt: '2026-03-02T02:00:00Z',
        lastFailedAt: '2026-03-02T05:00:00Z',
        lastRunId: 'a2',
        lastError: 'timeout',
      },
    ]);
  });

  it('groups per job and tenant, in job then tenant order; a run seen twice (queue and history) counts once', () => {
    const groups = failuresSinceLastSuccess(
      [
        f('x', 'sync', '2026-03-02T02:00:00Z', 'globex'),
        f('y', 'sync', '2026-03-02T02:00:00Z', 'acme'),
        f('z', 'etl', '2026-03-02T02:00:00Z'),
        f('z', 'etl', '2026-03-02T02:00:00Z'),
      ],
      [],
    );
    expect(groups.map((g) => [g.job, g.tenant, g.failures])).toEqual([
      ['etl', null, 1],
      ['sync', 'acme', 1],
      ['sync', 'globex', 1],
    ]);
  });

  it('the in-memory twins pick what the SQL picks: final failures and successes finished after `from`', () => {
    const run = (runId: string, state: string, finishedAt: string | null): RunLike =>
      ({ runId, job: 'sync', tenant: 'acme', state, finishedAt, error: state === 'failed' ? 'boom' : null }) as unknown as RunLike;
    const from = new Date('2026-03-01T00:00:00Z');
    const rows = [
      run('old', 'failed', '2026-02-28T00:00:00Z'),
      run('f1', 'failed', '2026-03-02T00:00:00.000Z'),
      run('retrying', 'retrying', null),
      run('s1', 'succeeded', '2026-03-02T01:00:00.000Z'),
      run('c1', 'cancelled', '2026-03-02T02:00:00.000Z'),
    ];
    expect(failedRunsOf(rows, from)).toEqual([f('f1', 'sync', '2026-03-02T00:00:00.000Z', 'acme', 'boom')]);
    expect(lastSuccessesOf(rows, from)).toEqual([ok('sync', '2026-03-02T01:00:00.000Z', 'acme')]);
  });
});
