import { spec } from '../../test/support/given';
import { purgeDecider, StartPurge } from './cache-purge.decider';
import type { CachePurgeEvent } from './cache-purge.events';

const now = new Date('2026-11-25T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const start: StartPurge = {
  kind: 'start',
  purgeId: 'p1',
  cache: 'sessions',
  match: { pattern: 'user:*' },
  confirmAll: false,
  reason: 'logout storm',
  actor: 'alice',
  now,
  staleMs: 60_000,
};
const started: CachePurgeEvent = {
  type: 'CachePurgeStarted',
  data: { purgeId: 'p1', cache: 'sessions', match: { pattern: 'user:*' }, reason: 'logout storm', startedBy: 'alice', startedAt: now.toISOString() },
};
const progressed = (ms: number, removed: number): CachePurgeEvent => ({
  type: 'CachePurgeProgressed',
  data: { purgeId: 'p1', cache: 'sessions', scanned: removed, removed, at: at(ms).toISOString() },
});
const finished: CachePurgeEvent = {
  type: 'CachePurgeFinished',
  data: { purgeId: 'p1', cache: 'sessions', outcome: 'completed', scanned: 10, removed: 10, error: null, finishedAt: at(5000).toISOString() },
};

const { given } = spec(purgeDecider);

describe('cache purge decider', () => {
  it('starts a purge in an idle slot', () => {
    given().when(start).then([started]);
  });

  it('one purge per cache and pattern at a time: a second start while the first runs is a conflict naming it', () => {
    expect(
      given(started, progressed(30_000, 5))
        .when({ ...start, purgeId: 'p2', now: at(40_000) })
        .thenRejects('conflict').reason,
    ).toMatch(/^purge p1 of pattern "user:\*" in cache "sessions" is running/);
    given(started, finished)
      .when({ ...start, purgeId: 'p2', now: at(6000) })
      .then([{ ...started, data: { ...started.data, purgeId: 'p2', startedAt: at(6000).toISOString() } } as CachePurgeEvent]);
  });

  it('a running purge silent for staleMs is recorded abandoned by the start that takes its place', () => {
    const events = given(started, progressed(1000, 7))
      .when({ ...start, purgeId: 'p2', now: at(61_001) })
      .then([
        {
          type: 'CachePurgeFinished',
          data: {
            purgeId: 'p1',
            cache: 'sessions',
            outcome: 'abandoned',
            scanned: 7,
            removed: 7,
            error: `no progress since ${at(1000).toISOString()}: its process stopped`,
            finishedAt: at(61_001).toISOString(),
          },
        },
        { ...started, data: { ...started.data, purgeId: 'p2', startedAt: at(61_001).toISOString() } } as CachePurgeEvent,
      ]);
    expect(events).toHaveLength(2);
  });

  it('a pattern matching every key needs confirmAll, named in the rejection', () => {
    expect(
      given()
        .when({ ...start, match: { pattern: '**' } })
        .thenRejects('invalid', 'confirmAll').reason,
    ).toMatch(/matches every key/);
    given()
      .when({ ...start, match: { pattern: '*' }, confirmAll: true })
      .then([{ ...started, data: { ...started.data, match: { pattern: '*' } } } as CachePurgeEvent]);
  });

  it('cancel: once while running; after the end a conflict; an unknown id not found', () => {
    const cancel = { kind: 'cancel' as const, purgeId: 'p1', cache: 'sessions', reason: 'wrong pattern', actor: 'bob', now: at(1000) };
    given(started)
      .when(cancel)
      .then([
        {
          type: 'CachePurgeCancelRequested',
          data: { purgeId: 'p1', cache: 'sessions', reason: 'wrong pattern', requestedBy: 'bob', at: at(1000).toISOString() },
        },
      ]);
    const requested = given(started)
      .when(cancel)
      .then([expect.anything() as unknown as CachePurgeEvent])[0];
    given(started, requested).when(cancel).thenRejects('conflict');
    given(started, finished).when(cancel).thenRejects('conflict');
    given().when(cancel).thenRejects('not_found');
  });

  it('progress and finish only for the purge running in the slot (not one taken over)', () => {
    given(started)
      .when({ kind: 'progress', purgeId: 'p1', cache: 'sessions', scanned: 3, removed: 2, now: at(100) })
      .then([{ type: 'CachePurgeProgressed', data: { purgeId: 'p1', cache: 'sessions', scanned: 3, removed: 2, at: at(100).toISOString() } }]);
    given(started, finished)
      .when({ kind: 'finish', purgeId: 'p1', cache: 'sessions', outcome: 'completed', scanned: 1, removed: 1, error: null, now: at(100) })
      .thenRejects('conflict');
  });
});
