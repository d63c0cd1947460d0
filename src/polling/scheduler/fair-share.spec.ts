import { createHash } from 'node:crypto';
import { fairShare, rebalance } from './fair-share';
import { partitionOf } from './partition-of';

describe('fair share of the poll partitions', () => {
  it('splits the partitions among the live processes, the shares adding up to the total', () => {
    const members = ['c', 'a', 'b'];
    expect(members.map((m) => fairShare(64, members, m))).toEqual([21, 22, 21]);
    expect(['a', 'b', 'c'].reduce((n, m) => n + fairShare(64, members, m), 0)).toBe(64);
    expect(fairShare(64, ['a'], 'a')).toBe(64);
    // A process not yet listed counts itself in.
    expect(fairShare(64, ['a'], 'b')).toBe(32);
    expect(fairShare(4, ['a', 'b', 'c', 'd', 'e'], 'e')).toBe(0);
  });

  it('drains the surplus, highest partitions first, and asks for more only when nothing drains', () => {
    expect(rebalance([0, 1, 2, 3, 4], new Set(), 3)).toEqual({ drain: [3, 4], acquire: 0 });
    expect(rebalance([0, 1, 2, 3, 4], new Set([3, 4]), 3)).toEqual({ drain: [], acquire: 0 });
    expect(rebalance([0, 1], new Set(), 3)).toEqual({ drain: [], acquire: 1 });
    expect(rebalance([0, 1, 7], new Set([7]), 5)).toEqual({ drain: [], acquire: 0 });
    expect(rebalance([], new Set(), 64)).toEqual({ drain: [], acquire: 64 });
  });
});

describe('partitionOf', () => {
  it('is the first 32 bits of md5(key), unsigned, modulo the count', () => {
    const key = 'svc::t1';
    const expected = Number(BigInt(`0x${createHash('md5').update(key).digest('hex').slice(0, 8)}`) % 64n);
    expect(partitionOf(key, 64)).toBe(expected);
    const counts = new Array(64).fill(0);
    for (let i = 0; i < 6400; i++) counts[partitionOf(`svc::t${i}`, 64)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });
});
