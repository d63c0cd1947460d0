import { loadConfig } from '../config/config';
import { noneMatch } from './cached-body';
import { Built, ReadCache } from './read-cache';
import type { ReadModels, ReadPositions } from './read-positions';

/** Positions the test moves by hand, counting how often they are read (a stand-in for projection_checkpoints). */
class Positions {
  value = 'targets@3:1:100';
  reads = 0;
  async of(_models: ReadModels): Promise<string> {
    this.reads++;
    return this.value;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cacheWith(env: Record<string, string>, positions = new Positions()) {
  const cache = new ReadCache(positions as unknown as ReadPositions, loadConfig({ NODE_ENV: 'test', ...env }));
  let builds = 0;
  const build = async (): Promise<Built<{ n: number; pad?: string }>> => ({ asOf: new Date(), body: { n: ++builds, pad: env.PAD } });
  return { cache, positions, build, builds: () => builds };
}

const text = (b: { bytes: Buffer }) => JSON.parse(b.bytes.toString());

describe('ReadCache (live bodies keyed on read-model positions; past answers kept)', () => {
  const read = { endpoint: 'scheduler-health', scope: null, reads: ['targets'] };

  it('a burst of requests while the read model moves builds the body once per interval', async () => {
    const { cache, positions, build, builds } = cacheWith({ READ_CACHE_INTERVAL_MS: '300', READ_CACHE_MAX_AGE_MS: '60000' });
    const first = await cache.answer(read, null, build);
    for (let i = 0; i < 50; i++) {
      positions.value = `targets@3:1:${200 + i}`; // an event per request
      expect((await cache.answer(read, null, build)).etag).toBe(first.etag);
    }
    expect(builds()).toBe(1);
    expect(positions.reads).toBe(1);
    await sleep(350);
    const next = await cache.answer(read, null, build);
    expect(builds()).toBe(2);
    expect(next.etag).not.toBe(first.etag);
    expect(text(next)).toEqual({ n: 2 });
  });

  it('an unchanged position keeps body and ETag past the interval; READ_CACHE_MAX_AGE_MS rebuilds it anyway', async () => {
    const { cache, build, builds, positions } = cacheWith({ READ_CACHE_INTERVAL_MS: '50', READ_CACHE_MAX_AGE_MS: '400' });
    const first = await cache.answer(read, null, build);
    await sleep(100);
    const again = await cache.answer(read, null, build);
    expect(again).toBe(first);
    expect(positions.reads).toBe(2); // checked again after the interval, found unchanged
    expect(builds()).toBe(1);
    await sleep(400);
    const aged = await cache.answer(read, null, build);
    expect(builds()).toBe(2);
    expect(aged.etag).not.toBe(first.etag);
  });

  it('while a rebuild is under way, other requests get the previous body; the request that started it waits for the new one', async () => {
    const positions = new Positions();
    const cache = new ReadCache(
      positions as unknown as ReadPositions,
      loadConfig({ NODE_ENV: 'test', READ_CACHE_INTERVAL_MS: '50', READ_CACHE_MAX_AGE_MS: '60000' }),
    );
    let release: () => void = () => undefined;
    let n = 0;
    const build = async (): Promise<Built<{ n: number }>> => {
      const mine = ++n;
      if (mine === 2) await new Promise<void>((r) => (release = r));
      return { asOf: new Date(), body: { n: mine } };
    };
    const first = await cache.answer(read, null, build);
    await sleep(60);
    positions.value = 'targets@3:1:200';
    const rebuilding = cache.answer(read, null, build);
    await sleep(10);
    expect(text(await cache.answer(read, null, build))).toEqual({ n: 1 }); // meanwhile: the previous body
    release();
    expect(text(await rebuilding)).toEqual({ n: 2 });
    expect((await cache.answer(read, null, build)).etag).not.toBe(first.etag);
    expect(n).toBe(2);
  });

  it('concurrent requests share one build', async () => {
    const { cache, build, builds } = cacheWith({ READ_CACHE_INTERVAL_MS: '1000' });
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.answer(read, null, build)));
    expect(builds()).toBe(1);
    expect(new Set(all.map((b) => b.etag)).size).toBe(1);
  });

  it('each tenant scope has its own body and tag', async () => {
    const { cache, build } = cacheWith({ READ_CACHE_INTERVAL_MS: '1000' });
    const acme = await cache.answer({ ...read, scope: 'acme' }, null, build);
    const globex = await cache.answer({ ...read, scope: 'globex' }, null, build);
    const all = await cache.answer(read, null, build);
    expect([text(acme).n, text(globex).n, text(all).n]).toEqual([1, 2, 3]);
    expect((await cache.answer({ ...read, scope: 'acme' }, null, build)).bytes).toBe(acme.bytes);
    expect(new Set([acme.etag, globex.etag, all.etag]).size).toBe(3);
  });

  it('READ_CACHE_INTERVAL_MS=0 builds every request (the bytes and tag still come through the same path)', async () => {
    const { cache, build, builds } = cacheWith({ READ_CACHE_INTERVAL_MS: '0' });
    const a = await cache.answer(read, null, build);
    const b = await cache.answer(read, null, build);
    expect(builds()).toBe(2);
    expect(a.etag).not.toBe(b.etag);
  });

  it('the live bodies stay within READ_CACHE_MAX_BYTES: the least recently used scope goes first', async () => {
    const { cache, build, builds } = cacheWith({
      READ_CACHE_INTERVAL_MS: '60000',
      READ_CACHE_MAX_AGE_MS: '60000',
      READ_CACHE_MAX_BYTES: '2500',
      PAD: 'x'.repeat(1000),
    });
    for (const scope of ['a', 'b', 'c']) await cache.answer({ ...read, scope }, null, build);
    expect(cache.bytes.live).toBeLessThanOrEqual(2500);
    await cache.answer({ ...read, scope: 'c' }, null, build); // still cached
    expect(builds()).toBe(3);
    await cache.answer({ ...read, scope: 'a' }, null, build); // pushed out by c
    expect(builds()).toBe(4);
  });

  it('a past answer older than PIT_SETTLED_AFTER_MS is kept (any position); a younger one is built each time', async () => {
    const { cache, build, builds, positions } = cacheWith({ PIT_SETTLED_AFTER_MS: '60000' });
    const old = new Date(Date.now() - 120_000);
    const a = await cache.answer(read, old, build);
    positions.value = 'targets@3:9:999';
    const b = await cache.answer(read, old, build);
    expect(b).toBe(a);
    expect(builds()).toBe(1);
    expect(positions.reads).toBe(0); // a past answer does not depend on where the read models stand
    expect((await cache.answer({ ...read, scope: 'acme' }, old, build)).bytes).not.toBe(a.bytes); // its own scope
    const recent = new Date(Date.now() - 1000);
    await cache.answer(read, recent, build);
    await cache.answer(read, recent, build);
    expect(builds()).toBe(4);
  });

  it('past answers stay within PIT_ANSWER_CACHE_MAX_ENTRIES', async () => {
    const { cache, build, builds } = cacheWith({ PIT_SETTLED_AFTER_MS: '0', PIT_ANSWER_CACHE_MAX_ENTRIES: '2' });
    const at = (s: number) => new Date(Date.now() - s * 1000);
    const [t1, t2, t3] = [at(30), at(20), at(10)];
    for (const t of [t1, t2, t3]) await cache.answer(read, t, build);
    await cache.answer(read, t3, build);
    expect(builds()).toBe(3);
    await cache.answer(read, t1, build);
    expect(builds()).toBe(4);
  });
});

describe('If-None-Match', () => {
  it('matches the tag in a list, weakly, or *', () => {
    expect(noneMatch('"abc"', '"abc"')).toBe(true);
    expect(noneMatch('"x", W/"abc"', '"abc"')).toBe(true);
    expect(noneMatch('*', '"abc"')).toBe(true);
    expect(noneMatch('"abd"', '"abc"')).toBe(false);
    expect(noneMatch(undefined, '"abc"')).toBe(false);
  });
});
