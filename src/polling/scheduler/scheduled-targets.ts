import type { RecordedEvent } from '../../event-store/envelope';
import type { TargetEvent } from '../events/target.events';
import { nextDueMs } from '../next-due';
import type { LoadedTarget, TargetRepository } from '../target-repository';
import { keyOfStream } from '../events/target-spec';
import { evolveTarget, TargetState } from '../target.state';
import { DueHeap } from './due-heap';
import { partitionOf } from './partition-of';

/** One target as the active scheduler holds it. */
export interface TargetSlot {
  readonly key: string;
  /** Its poll partition (partition-of.ts): the lease that lets this process poll it. */
  readonly partition: number;
  state: TargetState | null;
  revision: bigint;
  dueMs: number | null;
  /** A poll of it is in flight. */
  busy: boolean;
  /** Highest revision seen from other writers while busy: reload when it is ahead. */
  seenRevision: bigint;
  /** After a bookkeeping error (e.g. the database is down) the target waits until then. */
  backoffUntil: number;
  /** A hold (its tenant's targets pause…) kept it from its last due time: its next due time after that, in memory only. */
  heldUntil: number;
}

const slot = (key: string, partition: number, l: LoadedTarget): TargetSlot => ({
  key,
  partition,
  state: l.state,
  revision: l.revision,
  dueMs: null,
  busy: false,
  seenRevision: l.revision,
  backoffUntil: 0,
  heldUntil: 0,
});

/**
 * The folded state of every target of the partitions this process holds, with its due time in a
 * min-heap (no per-target timers). Changes other processes make (API, config reconcile) arrive as
 * log events and are folded in; events of other partitions are ignored.
 */
export class ScheduledTargets {
  private readonly slots = new Map<string, TargetSlot>();
  private readonly heap = new DueHeap();
  private readonly owned = new Set<number>();
  /** Partitions being loaded: the highest revision the log showed meanwhile, per key (reloaded when ahead of the load). */
  private readonly loading = new Map<number, Map<string, bigint>>();
  private readonly busyIn = new Map<number, number>();

  constructor(
    private readonly repo: TargetRepository,
    private readonly now: () => number,
    /** A target came due now (or earlier): the due loop should look at once. */
    private readonly onDueNow: () => void,
    private readonly partitions: number,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  partitionOf(key: string): number {
    return partitionOf(key, this.partitions);
  }

  /** Polls in flight of targets of partition `p`. */
  busy(p: number): number {
    return this.busyIn.get(p) ?? 0;
  }

  /** Log events of these partitions are noted from now on, while their targets load. */
  beginLoading(partitions: readonly number[]): void {
    for (const p of partitions) this.loading.set(p, new Map());
  }

  abortLoading(partitions: readonly number[]): void {
    for (const p of partitions) this.loading.delete(p);
  }

  /** The loaded targets of partitions begun with beginLoading: scheduled from now on; a target the log moved past meanwhile is reloaded. */
  async finishLoading(partitions: readonly number[], loaded: ReadonlyMap<string, LoadedTarget>): Promise<void> {
    const fresh: TargetSlot[] = [];
    const wanted = new Set(partitions);
    for (const [key, l] of loaded) {
      if (!wanted.has(this.partitionOf(key))) continue;
      const held = this.slots.get(key);
      if (held?.busy) {
        // Still polling from before its partition was let go: it catches up when the poll ends.
        if (l.revision > held.seenRevision) held.seenRevision = l.revision;
        continue;
      }
      const s = slot(key, this.partitionOf(key), l);
      this.slots.set(key, s);
      fresh.push(s);
    }
    const seen: [string, bigint][] = [];
    for (const p of partitions) {
      this.owned.add(p);
      for (const e of this.loading.get(p) ?? []) seen.push(e);
      this.loading.delete(p);
    }
    for (const s of fresh) this.schedule(s);
    for (const [key, revision] of seen) {
      let s = this.slots.get(key);
      if (s && revision <= s.revision) continue;
      if (!s) this.slots.set(key, (s = slot(key, this.partitionOf(key), { state: null, revision: -1n })));
      await this.reload(s);
      this.schedule(s);
    }
  }

  /** Stops scheduling these partitions' targets; a target whose poll is in flight goes when it ends. */
  drop(partitions: readonly number[]): void {
    const gone = new Set(partitions);
    for (const p of partitions) {
      this.owned.delete(p);
      this.loading.delete(p);
    }
    for (const s of this.slots.values()) if (gone.has(s.partition) && !s.busy) this.slots.delete(s.key);
  }

  clear(): void {
    this.slots.clear();
    this.heap.clear();
    this.owned.clear();
    this.loading.clear();
  }

  /** Due time of the earliest target, if any. */
  peekDueMs(): number | null {
    return this.heap.peek()?.dueMs ?? null;
  }

  /** The earliest target due by `now`, taken off the heap and marked busy; null when none is. */
  takeDue(now: number): { slot: TargetSlot; dueMs: number } | null {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.dueMs > now) return null;
      this.heap.pop();
      const s = this.slots.get(top.key);
      if (!s || s.busy || s.dueMs !== top.dueMs) continue; // rescheduled since: a stale heap entry
      s.dueMs = null;
      s.busy = true;
      this.busyIn.set(s.partition, this.busy(s.partition) + 1);
      // The due time the target's state set (a bookkeeping back-off only delays it: that shows as lateness).
      return { slot: s, dueMs: (s.state && nextDueMs(s.state)) ?? top.dueMs };
    }
  }

  /** A poll of the target has ended: catch up with what others wrote meanwhile, then schedule it again. */
  async release(s: TargetSlot, onReloadError: (err: unknown) => void): Promise<void> {
    try {
      if (s.seenRevision > s.revision) await this.reload(s);
    } catch (err) {
      onReloadError(err);
    } finally {
      s.busy = false;
      this.busyIn.set(s.partition, this.busy(s.partition) - 1);
      if (this.owned.has(s.partition)) this.schedule(s);
      else if (this.slots.get(s.key) === s) this.slots.delete(s.key); // its partition was let go meanwhile
    }
  }

  async reload(s: TargetSlot): Promise<void> {
    const l = await this.repo.load(s.key);
    s.state = l.state;
    s.revision = l.revision;
    if (s.seenRevision < l.revision) s.seenRevision = l.revision;
  }

  /** Folds events this scheduler appended itself. */
  applied(s: TargetSlot, events: readonly TargetEvent[], revision: bigint): void {
    for (const ev of events) s.state = evolveTarget(s.state, ev);
    s.revision = revision;
  }

  /** Other writers' events (API, reconcile, another scheduler before a takeover). Our own are already folded. */
  async onEvents(batch: readonly RecordedEvent[]): Promise<void> {
    for (const ev of batch) {
      const key = keyOfStream(ev.streamId);
      if (!key) continue;
      const p = this.partitionOf(key);
      const noting = this.loading.get(p);
      if (noting) {
        if (ev.revision > (noting.get(key) ?? -1n)) noting.set(key, ev.revision);
        continue;
      }
      if (!this.owned.has(p)) continue;
      let s = this.slots.get(key);
      if (!s) {
        s = slot(key, p, { state: null, revision: -1n });
        this.slots.set(key, s);
      }
      if (ev.revision <= s.revision) continue;
      if (s.busy) {
        if (ev.revision > s.seenRevision) s.seenRevision = ev.revision;
        continue;
      }
      if (ev.revision === s.revision + 1n) {
        s.state = evolveTarget(s.state, ev as unknown as TargetEvent);
        s.revision = ev.revision;
        s.seenRevision = ev.revision;
      } else {
        await this.reload(s);
      }
      s.heldUntil = 0; // another writer's change (poll-now, resume…) re-plans it; a hold is checked again when it comes due
      this.schedule(s);
    }
  }

  /** Puts the target on the heap at its next due time (nextDueMs), not before a bookkeeping back-off. */
  private schedule(s: TargetSlot): void {
    const planned = s.state ? nextDueMs(s.state) : null;
    const due = planned === null ? null : Math.max(planned, s.backoffUntil, s.heldUntil);
    if (due === s.dueMs) return;
    s.dueMs = due;
    if (due !== null) {
      this.heap.push(due, s.key);
      if (due <= this.now()) this.onDueNow();
    }
  }
}
