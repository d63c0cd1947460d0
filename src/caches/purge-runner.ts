import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { EventMetadata } from '../event-store/envelope';
import { Clock, CLOCK } from '../shared/clock';
import { RejectedError } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { sleep } from '../shared/waker';
import { CacheClients } from './cache-clients';
import type { PurgeMatch } from './cache-purge.events';
import { PurgeSlots } from './purge-slot.repository';
import { TokenBucket } from './token-bucket';

export interface PurgeJob {
  readonly purgeId: string;
  readonly cache: string;
  readonly match: PurgeMatch;
  readonly stream: string;
  /** Links every step to the operator's audited start. */
  readonly metadata: Partial<EventMetadata>;
}

/**
 * Runs purges in this process, in the background of the request that started them: SCAN MATCH in
 * steps of CACHE_PURGE_BATCH, UNLINK of each step's keys after the cache's token bucket allows
 * them (CACHE_PURGE_KEYS_PER_SECOND, shared by every purge of that cache here), progress recorded
 * every CACHE_PURGE_PROGRESS_MS (where a cancel requested by another process is seen), then the
 * end with the count. A cancel in this process stops it at once.
 */
@Injectable()
export class PurgeRunner implements BeforeApplicationShutdown {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void>; reason: string | null }>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clients: CacheClients,
    private readonly slots: PurgeSlots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  start(job: PurgeJob): void {
    const abort = new AbortController();
    const entry = { abort, done: Promise.resolve(), reason: null as string | null };
    entry.done = this.run(job, abort.signal, () => entry.reason)
      .catch((err) =>
        this.log.error(
          { event: 'cache.purge_failed', purgeId: job.purgeId, cache: job.cache, err: String(err) },
          `purge ${job.purgeId} could not record its end`,
        ),
      )
      .finally(() => this.running.delete(job.purgeId));
    this.running.set(job.purgeId, entry);
  }

  /** Stops a purge running here (its cancel request is recorded already); false when it runs elsewhere. */
  cancel(purgeId: string): boolean {
    const r = this.running.get(purgeId);
    r?.abort.abort();
    return r !== undefined;
  }

  /** Before the pool closes (onApplicationShutdown): each running purge records its end. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const r of this.running.values()) {
      r.reason = 'the process shut down';
      r.abort.abort();
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private bucket(cache: string): TokenBucket {
    let b = this.buckets.get(cache);
    if (!b) {
      const rate = this.config.caches.purgeKeysPerSecond;
      this.buckets.set(cache, (b = new TokenBucket(rate, rate, Date.now())));
    }
    return b;
  }

  private async run(job: PurgeJob, signal: AbortSignal, stopReason: () => string | null): Promise<void> {
    const { purgeBatch, purgeProgressMs } = this.config.caches;
    const redis = this.clients.client(job.cache);
    const bucket = this.bucket(job.cache);
    const base = { purgeId: job.purgeId, cache: job.cache };
    let scanned = 0;
    let removed = 0;
    let lastBeat = Date.now();
    let cancelled = false;
    const unlink = async (keys: string[]) => {
      await sleep(bucket.reserve(keys.length, Date.now()), signal);
      if (!signal.aborted) removed += await redis.unlink(...keys);
    };
    try {
      if ('key' in job.match) {
        scanned = (await redis.exists(job.match.key)) ? 1 : 0;
        await unlink([job.match.key]);
      } else {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', job.match.pattern, 'COUNT', purgeBatch);
          cursor = next;
          scanned += keys.length;
          for (let i = 0; i < keys.length && !signal.aborted; i += purgeBatch) await unlink(keys.slice(i, i + purgeBatch));
          if (Date.now() - lastBeat >= purgeProgressMs && !signal.aborted) {
            lastBeat = Date.now();
            const state = await this.slots.act(job.stream, () => ({ kind: 'progress', ...base, scanned, removed, now: this.clock.now() }), job.metadata);
            cancelled = state.active?.cancelRequested ?? false;
          }
        } while (cursor !== '0' && !signal.aborted && !cancelled);
      }
      cancelled ||= signal.aborted;
      await this.slots.act(
        job.stream,
        () => ({ kind: 'finish', ...base, outcome: cancelled ? 'cancelled' : 'completed', scanned, removed, error: stopReason(), now: this.clock.now() }),
        job.metadata,
      );
      this.log.info(
        { event: 'cache.purge_finished', ...base, outcome: cancelled ? 'cancelled' : 'completed', scanned, removed },
        `purge ${job.purgeId} of cache ${job.cache} ${cancelled ? 'cancelled' : 'completed'}: ${removed} keys removed`,
      );
    } catch (err) {
      // Taken over (its process was thought dead) or ended by another writer: nothing more to record.
      if (err instanceof RejectedError) {
        this.log.warn({ event: 'cache.purge_superseded', ...base, problem: err.message }, `purge ${job.purgeId} stopped: ${err.message}`);
        return;
      }
      const connection = this.clients.lastError(job.cache);
      const error = `${err instanceof Error ? err.message : String(err)}${connection ? ` (connection: ${connection})` : ''}`;
      await this.slots.act(job.stream, () => ({ kind: 'finish', ...base, outcome: 'failed', scanned, removed, error, now: this.clock.now() }), job.metadata);
      this.log.warn({ event: 'cache.purge_failed', ...base, err: error, removed }, `purge ${job.purgeId} of cache ${job.cache} failed: ${error}`);
    }
  }
}
