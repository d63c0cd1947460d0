import { foldRun, overlapping, ownerIntervals, partitionMarks, pollProblems, RunEventRow } from '../support/chaos/checks';

/** The chaos test's invariants catch the histories they are meant to catch (and pass good ones). */
describe('chaos checks', () => {
  const ev = (type: string, data: Record<string, unknown> = {}) => ({ type, data });
  const run = (...events: { type: string; data: Record<string, unknown> }[]): RunEventRow[] => events.map((e, i) => ({ ...e, revision: i }));
  const enq = ev('RunEnqueued', { readyAt: '2026-01-01T00:00:00Z', attempt: 1 });
  const claim = (w: string, attempt = 1) => ev('RunClaimed', { workerId: w, attempt });

  it('accepts a run killed mid-attempt, reaped, retried and finished', () => {
    const h = foldRun(
      run(
        enq,
        claim('w1'),
        ev('RunAbandoned', { workerId: 'w1', attempt: 1 }),
        ev('RetryScheduled', { attempt: 2, readyAt: 'x' }),
        claim('w2', 2),
        ev('RunSucceeded', { workerId: 'w2', attempt: 2 }),
      ),
    );
    expect(h.problems).toEqual([]);
    expect(h.status).toBe('succeeded');
    expect([...h.claims]).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('names a second claim without a release (two workers at once)', () => {
    expect(foldRun(run(enq, claim('w1'), claim('w2'))).problems).toEqual([
      expect.stringContaining('RunClaimed by w2 while the run is running (claimed by w1)'),
    ]);
  });

  it('names two terminal events and an attempt closed by a worker that does not hold it', () => {
    const h = foldRun(run(enq, claim('w1'), ev('RunSucceeded', { workerId: 'w1', attempt: 1 }), ev('RunSucceeded', { workerId: 'w1', attempt: 1 })));
    expect(h.problems).toEqual([
      expect.stringContaining('after the run ended (succeeded)'),
      expect.stringContaining('RunSucceeded while the run is succeeded'),
      expect.stringContaining('closes no open claim'),
    ]);
    expect(foldRun(run(enq, claim('w1'), ev('RunFailed', { workerId: 'w2', attempt: 1 }), ev('RunDeadLettered'))).problems).toEqual([
      expect.stringContaining('the open claim is attempt 1 of w1'),
    ]);
  });

  it('names a failed attempt left without a retry or an end, and a revision gap', () => {
    expect(foldRun(run(enq, claim('w1'), ev('RunFailed', { workerId: 'w1', attempt: 1 }))).problems).toEqual([expect.stringContaining('without a retry')]);
    expect(
      foldRun([
        { ...enq, revision: 0 },
        { ...claim('w1'), revision: 2 },
      ]).problems,
    ).toEqual(['revision 2 where 1 was expected']);
  });

  it('owner intervals: acquired..released, or acquired..death; overlaps of different owners only', () => {
    const a = ownerIntervals(
      'a',
      [
        { kind: 'acquired', at: 10 },
        { kind: 'released', at: 20 },
        { kind: 'acquired', at: 30 },
      ],
      40,
    );
    expect(a).toEqual([
      { owner: 'a', from: 10, to: 20 },
      { owner: 'a', from: 30, to: 40 },
    ]);
    expect(overlapping([...a, { owner: 'b', from: 20, to: 30 }])).toEqual([]);
    expect(overlapping([...a, { owner: 'b', from: 35, to: 50 }])).toEqual([
      [
        { owner: 'a', from: 30, to: 40 },
        { owner: 'b', from: 35, to: 50 },
      ],
    ]);
  });

  it('poll outcomes: the same due time twice, or a probe by an instance that was not active, are named', () => {
    const owners = [
      { owner: 'a', from: 0, to: 1000 },
      { owner: 'b', from: 2000, to: 3000 },
    ];
    const poll = (who: string, at: number, due: number) => ({
      streamId: 'target-x',
      type: 'PollSucceeded',
      data: { at: new Date(at).toISOString(), dueAt: new Date(due).toISOString(), trigger: 'schedule' },
      metadata: { instanceId: who },
    });
    expect(pollProblems([poll('a', 500, 400), poll('b', 2100, 900)], () => owners)).toEqual([]);
    expect(pollProblems([poll('a', 500, 400), poll('b', 2100, 400)], () => owners)).toEqual([expect.stringContaining('polled twice for due time')]);
    expect(pollProblems([poll('a', 1500, 1400)], () => owners)).toEqual([expect.stringContaining('did not hold its partition then')]);
  });

  it('partition marks: active opens the partitions it lists, released and lock_lost close them', () => {
    const at = (s: number) => new Date(s * 1000).toISOString();
    const marks = partitionMarks([
      { event: 'scheduler.active', time: at(1), partitions: [0, 1, 2] },
      { event: 'scheduler.released', time: at(2), partitions: [2] },
      { event: 'scheduler.lock_lost', time: at(3), partitions: [0] },
      { event: 'poll.failed', time: at(4) },
    ]);
    expect(ownerIntervals('a', marks.get(0)!, 9000)).toEqual([{ owner: 'a', from: 1000, to: 3000 }]);
    expect(ownerIntervals('a', marks.get(1)!, 9000)).toEqual([{ owner: 'a', from: 1000, to: 9000 }]);
    expect(ownerIntervals('a', marks.get(2)!, 9000)).toEqual([{ owner: 'a', from: 1000, to: 2000 }]);
  });
});
