import type { EventStore } from '../../event-store/event-store.port';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { INSTANCE_ID } from '../../database/loop-state.service';
import { isRejection, type Decision } from '../../shared/decider';
import type { TargetEvent } from '../events/target.events';
import type { TargetState } from '../target.state';
import { AppendBatcher } from './append-batcher';
import { type Lease, LeaseLost } from './partition-leases';
import type { PollStats } from './poll-stats';
import type { ScheduledTargets, TargetSlot } from './scheduled-targets';

const ATTEMPTS = 5;

/**
 * Appends what the decider answers for a target, at the revision the scheduler holds, and folds it
 * in. Another writer may have appended meanwhile (an operator's poll-now, a config change): then
 * the append conflicts, the target is reloaded and the same command decided again on the fresh
 * state. A rejection appends nothing. Each append is fenced with the lease of the target's
 * partition: once the lease is lost, nothing more is recorded for it (LeaseLost).
 */
export class PollEventAppender {
  private readonly batcher: AppendBatcher;

  constructor(
    store: EventStore,
    private readonly targets: ScheduledTargets,
    private readonly stats: PollStats,
    /** The fencing owner and the lease of a partition (null: no longer held). */
    private readonly fence: { readonly owner: string; leaseOf(partition: number): Lease | null } | null = null,
  ) {
    this.batcher = new AppendBatcher(store, fence?.owner ?? null);
  }

  async append(s: TargetSlot, decide: (state: TargetState | null) => Decision<TargetEvent>): Promise<readonly TargetEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const decision = decide(s.state);
      if (isRejection(decision) || !decision.length) return [];
      const lease = this.fence ? this.fence.leaseOf(s.partition) : null;
      if (this.fence && !lease) throw new LeaseLost(s.partition);
      const t = performance.now();
      try {
        const res = await this.batcher.append(s.key, decision, s.revision, { instanceId: INSTANCE_ID }, lease);
        this.stats.appendMs.add(performance.now() - t);
        this.stats.appends++;
        this.targets.applied(s, decision, res.nextRevision);
        return decision;
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= ATTEMPTS) throw err;
        this.stats.conflicts++;
        await this.targets.reload(s);
      }
    }
  }
}
