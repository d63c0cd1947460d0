import { DueHeap } from './due-heap';

describe('DueHeap', () => {
  it('pops in due order', () => {
    const h = new DueHeap();
    const values = Array.from({ length: 500 }, (_, i) => ({ dueMs: (i * 7919) % 1000, key: `k${i}` }));
    for (const v of values) h.push(v.dueMs, v.key);
    const out: number[] = [];
    while (h.size) out.push(h.pop()!.dueMs);
    expect(out).toEqual(values.map((v) => v.dueMs).sort((a, b) => a - b));
  });
});
