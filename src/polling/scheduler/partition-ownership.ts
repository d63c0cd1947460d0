import { fairShare, rebalance } from './fair-share';
import type { Lease, PartitionLeases } from './partition-leases';

/** What one round of lease upkeep changed. The caller loads the acquired partitions' targets (or gives them back). */
export interface OwnershipRound {
  readonly acquired: readonly Lease[];
  /** Taken over by another process, or expired before this one could renew them: stop polling at once. */
  readonly lost: readonly number[];
  /** The database could not be reached this round (the leases run out on their own if it stays so). */
  readonly error: unknown;
}

export interface OwnershipHooks {
  /** Polls in flight of targets of partition `p`. */
  busy(p: number): number;
  /** Stop starting polls of these partitions' targets (they are about to be let go). */
  stopPolling(partitions: readonly number[]): void;
  /** Right before partitions are let go, while still held (the log line that closes their term). */
  releasing(partitions: readonly number[], heldAfter: number): void;
}

/**
 * The poll partitions this process holds, each with its term and a local deadline: the time the
 * last renewal was sent plus the lease time. The database's lease ends no earlier than that, so
 * a partition is polled only while its lease surely holds, and nothing is polled after the lease
 * could have passed to another process (see docs/adr/0017).
 */
export class PartitionOwnership {
  private readonly held = new Map<number, { term: number; until: number }>();
  private readonly draining = new Set<number>();
  /** How many partitions there are (rows of poll_partitions), known after start(). */
  partitions = 0;

  constructor(
    readonly leases: PartitionLeases,
    private readonly leaseMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  async start(): Promise<void> {
    this.partitions = await this.leases.partitionCount();
  }

  get count(): number {
    return this.held.size;
  }

  /** The term of a partition this process may poll now, or null. */
  termOf(partition: number): number | null {
    const h = this.held.get(partition);
    return h && !this.draining.has(partition) && this.clock() < h.until ? h.term : null;
  }

  /** The lease an append of this partition's target is fenced with (draining ones included: their polls in flight still record). */
  leaseOf(partition: number): Lease | null {
    const h = this.held.get(partition);
    return h && this.clock() < h.until ? { partition, term: h.term } : null;
  }

  list(): Lease[] {
    return [...this.held].map(([partition, h]) => ({ partition, term: h.term }));
  }

  /** Renew, say this process is alive, rebalance toward the fair share, take free and orphaned partitions. */
  async round(hooks: OwnershipHooks): Promise<OwnershipRound> {
    const lost: number[] = [];
    let acquired: Lease[] = [];
    try {
      // Beat first: this process's membership never outlives its leases (a dead one's share frees as its leases do).
      const members = await this.leases.beat();
      const sent = this.clock();
      const renewed = new Map((await this.leases.renew(this.list())).map((l) => [l.partition, l.term]));
      for (const [p, h] of this.held) {
        if (renewed.get(p) === h.term) h.until = sent + this.leaseMs;
        else lost.push(p);
      }
      this.forget(lost);
      const share = fairShare(this.partitions, members, this.leases.owner);
      const plan = rebalance([...this.held.keys()], this.draining, share);
      if (plan.drain.length) {
        for (const p of plan.drain) this.draining.add(p);
        hooks.stopPolling(plan.drain);
      }
      const idle = [...this.draining].filter((p) => hooks.busy(p) === 0);
      if (idle.length) {
        hooks.releasing(idle, this.held.size - idle.length);
        await this.leases.release(idle.map((p) => ({ partition: p, term: this.held.get(p)!.term })));
        this.forget(idle);
      }
      const before = this.clock();
      acquired = await this.leases.acquire(plan.acquire);
      for (const l of acquired) {
        // Freed under this process after its renewal (an operator's reset): that term is lost, this is a new take.
        if (this.held.has(l.partition)) lost.push(l.partition);
        this.held.set(l.partition, { term: l.term, until: before + this.leaseMs });
      }
      return { acquired, lost, error: null };
    } catch (error) {
      const now = this.clock();
      const expired = [...this.held].filter(([, h]) => h.until <= now).map(([p]) => p);
      this.forget(expired);
      return { acquired, lost: [...lost, ...expired], error };
    }
  }

  /** Gives partitions back at once (their targets could not be loaded, or the process stops). */
  async release(partitions: readonly number[]): Promise<void> {
    const leases = partitions.flatMap((p) => {
      const h = this.held.get(p);
      return h ? [{ partition: p, term: h.term }] : [];
    });
    this.forget(partitions);
    await this.leases.release(leases);
  }

  private forget(partitions: readonly number[]): void {
    for (const p of partitions) {
      this.held.delete(p);
      this.draining.delete(p);
    }
  }
}
