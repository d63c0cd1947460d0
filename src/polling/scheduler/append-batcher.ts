import type { AppendResult, EventMetadata } from '../../event-store/envelope';
import type { EventStore } from '../../event-store/event-store.port';
import type { UnitOfWork } from '../../event-store/unit-of-work';
import { TargetEvent, targetEventSchemaVersion } from '../events/target.events';
import { targetStream } from '../events/target-spec';
import { Lease, LeaseLost, PartitionLeases } from './partition-leases';

interface Pending {
  readonly key: string;
  readonly events: readonly TargetEvent[];
  readonly expected: bigint;
  readonly metadata: Partial<EventMetadata>;
  /** The partition lease the append is fenced with (null: not fenced). */
  readonly lease: Lease | null;
  resolve(r: AppendResult): void;
  reject(e: unknown): void;
}

/**
 * Groups the scheduler's per-target appends into one unit of work per batch (one commit, one
 * fsync, for up to `maxBatch` streams), written by one multi-stream append (one statement, each
 * stream still checked against its expected revision), so a batch costs four round trips however
 * many targets it holds. If any append in a batch fails (a conflict fails the unit), the batch is
 * replayed one append at a time so only the conflicting one fails. With a fencing `owner`, the unit first checks that the
 * partition leases are still held (PartitionLeases.held): an append of a lost partition fails
 * with LeaseLost and stores nothing.
 */
export class AppendBatcher {
  private readonly queue: Pending[] = [];
  private running = 0;

  constructor(
    private readonly store: EventStore,
    private readonly owner: string | null = null,
    private readonly maxBatch = 250,
    private readonly parallel = 3,
  ) {}

  append(
    key: string,
    events: readonly TargetEvent[],
    expected: bigint,
    metadata: Partial<EventMetadata> = {},
    lease: Lease | null = null,
  ): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, events, expected, metadata, lease, resolve, reject });
      if (this.running < this.parallel) {
        this.running++;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) await this.flush(this.take());
    } finally {
      this.running--;
    }
  }

  /** The next batch: up to maxBatch appends, each stream at most once (a multi-stream append takes a stream once). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    const streams = new Set<string>();
    for (const p of this.queue) {
      if (batch.length < this.maxBatch && !streams.has(p.key)) {
        streams.add(p.key);
        batch.push(p);
      } else later.push(p);
    }
    this.queue.length = 0;
    this.queue.push(...later);
    return batch;
  }

  private toAppend(p: Pending) {
    return p.events.map((e) => ({ type: e.type, data: e.data, schemaVersion: targetEventSchemaVersion(e.type), metadata: p.metadata }));
  }

  /** The partitions whose leases the unit holds (share-locked until it commits); null when not fencing. */
  private async held(uow: UnitOfWork, batch: readonly Pending[]): Promise<Set<number> | null> {
    const leases = batch.flatMap((p) => (p.lease ? [p.lease] : []));
    if (!this.owner || !uow.sql || !leases.length) return null;
    return PartitionLeases.held(uow.sql, this.owner, leases);
  }

  private async flush(batch: Pending[]): Promise<void> {
    let results: (AppendResult | LeaseLost)[];
    try {
      results = await this.store.transact(async (uow) => {
        const held = await this.held(uow, batch);
        const fenced = batch.map((p) => (held && p.lease && !held.has(p.lease.partition) ? new LeaseLost(p.lease.partition) : null));
        const going = batch.filter((_, i) => !fenced[i]);
        const appended = going.length
          ? await uow.appendMany(
              going.map((p) => ({ streamId: targetStream(p.key), events: this.toAppend(p), expected: p.expected < 0n ? 'no_stream' : p.expected })),
            )
          : [];
        let next = 0;
        return fenced.map((f) => f ?? appended[next++]);
      });
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      else for (const p of batch) await this.flush([p]);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r instanceof LeaseLost) p.reject(r);
      else p.resolve(r);
    });
  }
}
