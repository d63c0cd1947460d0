import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CachedBody, keyOf, ReadKey, strongEtag } from './cached-body';
import { ReadModels, ReadPositions } from './read-positions';

/** One cacheable read endpoint: its key and the read models its body comes from. */
export interface CachedRead extends ReadKey {
  readonly reads: ReadModels;
}

/** A body and the instant it describes. */
export interface Built<T> {
  readonly asOf: Date;
  readonly body: T;
}

/**
 * Bodies are tagged by content (a hash of the key and the bytes, once per build: ~10 ms for 5 MB):
 * a changed body always gets a new tag, even when only a table outside the log changed, and the
 * same past instant gets the same tag in every process.
 *
 * JSON.stringify, once per build: on Node 20 it writes the 10,000-instance scheduler health body
 * ~4× faster than a fast-json-stringify schema serialiser (bench:health times both).
 */
const serialize = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));

interface LiveEntry {
  readonly body: CachedBody;
  readonly positions: string;
  readonly builtAt: number;
  checkedAt: number;
}

/**
 * Health and system bodies served from memory (ADR 0016). Live: one body per endpoint and tenant
 * scope, kept while the read models it reads stand where they stood when it was built; their
 * positions are checked at most once per READ_CACHE_INTERVAL_MS (so a burst of events rebuilds it
 * at most once per interval) and it is rebuilt after READ_CACHE_MAX_AGE_MS regardless (its
 * time-dependent fields). While one request waits for a rebuild, others get the previous body. Past (`?at=`): an answer at an instant older than PIT_SETTLED_AFTER_MS
 * never changes, so it is kept until the byte or entry bound pushes it out. Each process has its
 * own caches; the positions come from PostgreSQL.
 */
@Injectable()
export class ReadCache {
  private readonly live: LRUCache<string, LiveEntry>;
  private readonly past: LRUCache<string, CachedBody> | null;
  private readonly building = new Map<string, Promise<CachedBody>>();

  constructor(
    private readonly positions: ReadPositions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { maxBytes } = config.readCache;
    // lru-cache needs a positive bound; 0 means "nothing fits", which the size check below enforces.
    this.live = new LRUCache<string, LiveEntry>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (e) => Math.max(1, e.body.bytes.length) });
    const pit = config.pointInTime;
    this.past =
      pit.answerCacheMaxBytes > 0
        ? new LRUCache<string, CachedBody>({
            max: pit.answerCacheMaxEntries,
            maxSize: pit.answerCacheMaxBytes,
            sizeCalculation: (b) => Math.max(1, b.bytes.length),
          })
        : null;
  }

  /** The answer of `read` live (`at` null) or as of `at`; `build` computes it when no cached one will do. */
  answer<T>(read: CachedRead, at: Date | null, build: () => Promise<Built<T>>): Promise<CachedBody> {
    return at ? this.pastAnswer(read, at, build) : this.liveAnswer(read, build);
  }

  private async liveAnswer<T>(read: CachedRead, build: () => Promise<Built<T>>): Promise<CachedBody> {
    const key = keyOf(read);
    const { intervalMs, maxAgeMs } = this.config.readCache;
    const fresh = (e: LiveEntry | undefined, now: number): e is LiveEntry => !!e && now - e.builtAt < maxAgeMs;
    const e = this.live.get(key);
    if (fresh(e, performance.now()) && performance.now() - e.checkedAt < intervalMs) return e.body;
    // No reuse without an interval: every request builds its own body (nor shares one in flight).
    if (intervalMs === 0) return this.built(key, await build());
    // The request that found the body due waits for the new one; requests arriving meanwhile get the
    // body there is (it says its instant): a slow build costs one request, not every request.
    if (e && this.building.has(`live ${key}`)) return e.body;
    return this.once(`live ${key}`, async () => {
      const positions = await this.positions.of(read.reads);
      const now = performance.now();
      const cur = this.live.get(key);
      if (fresh(cur, now) && cur.positions === positions) {
        cur.checkedAt = now;
        return cur.body;
      }
      const body = this.built(key, await build());
      if (body.bytes.length <= this.config.readCache.maxBytes) this.live.set(key, { body, positions, builtAt: now, checkedAt: now });
      return body;
    });
  }

  private built<T>(key: string, b: Built<T>): CachedBody {
    const bytes = serialize(b.body);
    return { bytes, asOf: b.asOf, etag: strongEtag(key, bytes) };
  }

  private async pastAnswer<T>(read: CachedRead, at: Date, build: () => Promise<Built<T>>): Promise<CachedBody> {
    const key = `${keyOf(read)}|${at.toISOString()}`;
    const hit = this.past?.get(key);
    if (hit) return hit;
    return this.once(`past ${key}`, async () => {
      const body = this.built(key, await build());
      // Only an instant every commit has passed: a transaction still open may hold an event recorded before a younger one.
      if (this.past && at.getTime() <= Date.now() - this.config.pointInTime.settledAfterMs) this.past.set(key, body);
      return body;
    });
  }

  /** Concurrent requests for the same answer share one build. */
  private once(key: string, work: () => Promise<CachedBody>): Promise<CachedBody> {
    let p = this.building.get(key);
    if (!p) {
      p = work().finally(() => this.building.delete(key));
      this.building.set(key, p);
    }
    return p;
  }

  /** Cached bytes, live and past (the memory bound's measure). */
  get bytes(): { live: number; past: number } {
    return { live: this.live.calculatedSize, past: this.past?.calculatedSize ?? 0 };
  }
}
