import type { RecordedEvent } from '../../event-store/envelope';
import type { TargetEvent } from '../events/target.events';
import { nextDueMs } from '../next-due';
import type { LoadedTarget, TargetRepository } from '../target-repository';
import { keyOfStream } from '../events/target-spec';
import { evolveTarget, TargetState } from '../target.state';
import { DueHeap } from './due-heap';

/** One target as the active scheduler holds it. */
export interface TargetSlot {
  readonly key: string;
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

const slot = (key: string, l: LoadedTarget): TargetSlot => ({
  key,
  state: l.state,
  revision: l.revision,
  dueMs: null,
  busy: false,
  seenRevision: l.revision,
  backoffUntil: 0,
  heldUntil: 0,
});

/**
 * Every target's folded state in memory, with its due time in a min-heap (no per-target timers).
 * Changes other processes make (API, config reconcile) arrive as log events and are folded in.
 */
export class ScheduledTargets {
  private readonly slots = new Map<string, TargetSlot>();
  private readonly heap = new DueHeap();

  constructor(
    private readonly repo: TargetRepository,
    private readonly now: () => number,
    /** A target came due now (or earlier): the due loop should look at once. */
    private readonly onDueNow: () => void,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  load(loaded: ReadonlyMap<string, LoadedTarget>): void {
    for (const [key, l] of loaded) this.slots.set(key, slot(key, l));
    for (const s of this.slots.values()) this.schedule(s);
  }

  clear(): void {
    this.slots.clear();
    this.heap.clear();
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
      return { slot: s, dueMs: top.dueMs };
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
      this.schedule(s);
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
      let s = this.slots.get(key);
      if (!s) {
        s = slot(key, { state: null, revision: -1n });
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
