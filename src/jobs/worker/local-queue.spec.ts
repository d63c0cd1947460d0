import type { QueueRow } from '../../../projections/job-queue/job-queue.projection';
import { HeldRun, LocalQueue } from './local-queue';

const held = (runId: string, heldSince: number): HeldRun => ({ runId, row: { runId } as QueueRow, revision: 1n, heldSince });

describe('LocalQueue', () => {
  it('off (size 0): asks only for free slots, at most a claim batch', () => {
    const q = new LocalQueue(0, 1000);
    expect(q.wanted(3, 10, 5)).toBe(3);
    expect(q.wanted(30, 10, 50)).toBe(10);
    expect(q.wanted(0, 10, 5)).toBe(0);
  });

  it('on: fills free slots and the queue, and claims again once it is down to a run per slot (at most half)', () => {
    const q = new LocalQueue(10, 1000);
    expect(q.wanted(4, 1, 4)).toBe(14);
    q.hold(Array.from({ length: 6 }, (_, i) => held(`r${i}`, 0)));
    expect(q.wanted(0, 1, 8)).toBe(0);
    q.take(1, 1, 10_000);
    expect(q.wanted(0, 1, 8)).toBe(5);
    expect(q.wanted(2, 1, 8)).toBe(7);
    // Two slots: wait until only two runs are held.
    expect(q.wanted(0, 1, 2)).toBe(0);
    q.take(3, 1, 10_000);
    expect(q.wanted(0, 1, 2)).toBe(8);
  });

  it('starts runs in claim order while their time and the lease hold; the rest go back', () => {
    const q = new LocalQueue(10, 100);
    q.hold([held('old', 0), held('a', 50), held('b', 50), held('c', 50)]);
    // `old` has waited 120 ms > 100: back; a and b start; c stays.
    expect(q.take(2, 120, 10_000)).toEqual({ start: [held('a', 50), held('b', 50)], giveBack: [held('old', 0)] });
    expect(q.runIds()).toEqual(['c']);
    // The lease may have lapsed: nothing starts.
    expect(q.take(1, 130, 125)).toEqual({ start: [], giveBack: [held('c', 50)] });
  });

  it('after runs went back for their time, claims only for a free slot (no cycling)', () => {
    const q = new LocalQueue(10, 100);
    q.hold([held('a', 0)]);
    expect(q.overdue(150, 10_000)).toEqual([held('a', 0)]);
    expect(q.wanted(0, 1, 4)).toBe(0);
    expect(q.wanted(1, 1, 4)).toBe(11);
    q.hold([held('b', 200)]);
    expect(q.wanted(0, 1, 4)).toBe(9);
  });

  it('overdue, remove and drain take runs out of the queue', () => {
    const q = new LocalQueue(10, 100);
    q.hold([held('a', 0), held('b', 90), held('c', 90)]);
    expect(q.overdue(120, 10_000).map((r) => r.runId)).toEqual(['a']);
    expect(q.remove(new Set(['c', 'x'])).map((r) => r.runId)).toEqual(['c']);
    expect(q.drain().map((r) => r.runId)).toEqual(['b']);
    expect(q.length).toBe(0);
  });
});
