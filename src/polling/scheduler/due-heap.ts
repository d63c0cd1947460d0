/** Min-heap of (dueMs, key): O(log n) per schedule, no per-target timers. Stale entries are skipped by the caller. */
export class DueHeap {
  private readonly items: { dueMs: number; key: string }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(dueMs: number, key: string): void {
    const a = this.items;
    a.push({ dueMs, key });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].dueMs <= a[i].dueMs) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  peek(): { dueMs: number; key: string } | undefined {
    return this.items[0];
  }

  pop(): { dueMs: number; key: string } | undefined {
    const a = this.items;
    if (!a.length) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].dueMs < a[m].dueMs) m = l;
        if (r < a.length && a[r].dueMs < a[m].dueMs) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
