import type { RunLike } from './run-aggregates';
import { lastRunsOf, queueStatsOf, queueViewAt, stateCountsOf } from './run-aggregates';

const H = 3_600_000;
const at = new Date('2025-03-01T12:00:00.000Z');
const ago = (ms: number) => new Date(at.getTime() - ms).toISOString();
const run = (runId: string, job: string, state: RunLike['state'], over: Partial<RunLike> = {}): RunLike =>
  ({ runId, job, state, tenant: null, enqueuedAt: ago(10 * H), readyAt: ago(10 * H), claimedAt: null, finishedAt: null, durationMs: null, ...over }) as RunLike;

describe('run aggregates (the in-memory twins of the read-model queries)', () => {
  it('given waiting and active runs, counts them per job with the oldest ready and oldest active start', () => {
    const stats = queueStatsOf([
      run('1', 'a', 'pending', { readyAt: ago(5000) }),
      run('2', 'a', 'retrying', { readyAt: ago(9000) }),
      run('3', 'a', 'running', { claimedAt: ago(2000) }),
      run('4', 'a', 'cancelling', { claimedAt: ago(7000) }),
      run('5', 'a', 'succeeded'),
    ]);
    expect(stats.get('a')).toEqual({ pending: 2, running: 2, oldestRunningSince: ago(7000), oldestReadyAt: ago(9000) });
    expect(stats.has('b')).toBe(false);
  });

  it('given several runs of a job, the last run is the latest enqueued, at its latest move', () => {
    const last = lastRunsOf([
      run('old', 'a', 'failed', { enqueuedAt: ago(3 * H), finishedAt: ago(2 * H), durationMs: 9 }),
      run('new', 'a', 'running', { enqueuedAt: ago(H), claimedAt: ago(H / 2) }),
    ]);
    expect(last.get('a')).toEqual({ runId: 'new', state: 'running', at: ago(H / 2), durationMs: null });
  });

  it('given old terminal runs, the queue view drops them as the janitor would at that instant', () => {
    const rows = [
      run('s-new', 'a', 'succeeded', { finishedAt: ago(H - 1) }),
      run('s-old', 'a', 'succeeded', { finishedAt: ago(H + 1) }),
      run('f-old', 'a', 'failed', { finishedAt: ago(2 * H) }),
      run('p', 'a', 'pending'),
    ];
    const view = queueViewAt(rows, at, { dropCompletedAfterMs: H, dropFailedAfterMs: 7 * 24 * H });
    expect(stateCountsOf(view)).toEqual({ succeeded: 1, failed: 1, pending: 1 });
    expect(queueViewAt(rows, at, { dropCompletedAfterMs: H, dropFailedAfterMs: H }).map((r) => r.runId)).toEqual(['s-new', 'p']);
  });
});
