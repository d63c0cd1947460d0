import { RunLink, unresolvedByDay, unresolvedByJob, unresolvedFailures } from './unresolved-failures';

const run = (runId: string, state: string, retryOf: string | null = null, finishedAt = '2025-03-01T06:00:00Z', job = 'j'): RunLink => ({
  runId,
  job,
  state,
  retryOf,
  finishedAt,
});

describe('unresolved failures', () => {
  it('a failure stays unresolved until a retry of it succeeds', () => {
    expect(unresolvedFailures([run('a', 'failed')]).map((r) => r.runId)).toEqual(['a']);
    expect(unresolvedFailures([run('a', 'failed'), run('b', 'failed', 'a')]).map((r) => r.runId)).toEqual(['a', 'b']);
    expect(unresolvedFailures([run('a', 'failed'), run('b', 'succeeded', 'a')])).toEqual([]);
  });

  it('a success at the end of a chain of retries resolves every failure before it', () => {
    expect(unresolvedFailures([run('a', 'failed'), run('b', 'failed', 'a'), run('c', 'cancelled', 'b'), run('d', 'succeeded', 'c')])).toEqual([]);
  });

  it('a later scheduled success of the same job resolves nothing (only a retry of the same run does)', () => {
    expect(unresolvedFailures([run('a', 'failed'), run('s', 'succeeded')]).map((r) => r.runId)).toEqual(['a']);
  });

  it('counts per job and per day of the failure', () => {
    const runs = [
      run('a', 'failed', null, '2025-03-01T01:00:00Z', 'x'),
      run('b', 'failed', null, '2025-03-02T01:00:00Z', 'y'),
      run('c', 'failed', null, '2025-03-02T02:00:00Z', 'y'),
      run('d', 'succeeded', 'c', '2025-03-02T03:00:00Z', 'y'),
    ];
    expect(unresolvedByJob(runs)).toEqual(
      new Map([
        ['x', 1],
        ['y', 1],
      ]),
    );
    expect(unresolvedByDay(runs)).toEqual(
      new Map([
        ['2025-03-01', 1],
        ['2025-03-02', 1],
      ]),
    );
  });
});
