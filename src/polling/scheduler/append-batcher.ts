import type { AppendResult, EventMetadata } from '../../event-store/envelope';
import type { EventStore } from '../../event-store/event-store.port';
import { TargetEvent, targetEventSchemaVersion } from '../events/target.events';
import { targetStream } from '../events/target-spec';

interface Pending {
  readonly key: string;
  readonly events: readonly TargetEvent[];
  readonly expected: bigint;
  readonly metadata: Partial<EventMetadata>;
  resolve(r: AppendResult): void;
  reject(e: unknown): void;
}

/**
 * Groups the scheduler's per-target appends into one unit of work per batch (one commit, one
 * fsync, for up to `maxBatch` streams), each still checked against its expected revision. If any
 * append in a batch fails (a conflict fails the unit), the batch is replayed one append at a time
 * so only the conflicting one fails.
 */
export class AppendBatcher {
  private readonly queue: Pending[] = [];
  private running = 0;

  constructor(
    private readonly store: EventStore,
    private readonly maxBatch = 250,
    private readonly parallel = 3,
  ) {}

  append(key: string, events: readonly TargetEvent[], expected: bigint, metadata: Partial<EventMetadata> = {}): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, events, expected, metadata, resolve, reject });
      if (this.running < this.parallel) {
        this.running++;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) await this.flush(this.queue.splice(0, this.maxBatch));
    } finally {
      this.running--;
    }
  }

  private toAppend(p: Pending) {
    return p.events.map((e) => ({ type: e.type, data: e.data, schemaVersion: targetEventSchemaVersion(e.type), metadata: p.metadata }));
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      const [p] = batch;
      await this.store.append(targetStream(p.key), this.toAppend(p), p.expected < 0n ? 'no_stream' : p.expected).then(p.resolve, p.reject);
      return;
    }
    let results: AppendResult[];
    try {
      results = await this.store.transact(async (uow) => {
        const out: AppendResult[] = [];
        for (const p of batch) out.push(await uow.append(targetStream(p.key), this.toAppend(p), p.expected < 0n ? 'no_stream' : p.expected));
        return out;
      });
    } catch {
      for (const p of batch)
        await this.store.append(targetStream(p.key), this.toAppend(p), p.expected < 0n ? 'no_stream' : p.expected).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }
}
