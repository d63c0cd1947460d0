import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { Append, ctxOf, runHistory, targetHistory } from './synthetic-history';

// The recorded policy: the app's configuration below, and the rules the synthetic history is decided with.
const ENV = {
  POLL_SCHEDULER_ENABLED: 'false', // the synthetic targets must not be polled for real
  WORKER_CONCURRENCY: '0', // nor the synthetic runs claimed
  BREAKER_FAILURE_THRESHOLD: '3',
  BREAKER_OPEN_BASE_MS: '1000',
  BREAKER_OPEN_MAX_MS: '4000',
  DEAD_LETTER_STREAK: '5',
  DEAD_LETTER_RETRY_SCHEDULE: '10,20',
  PIT_SNAPSHOT_INTERVAL_MS: '3600000',
};
const RECORDED = ctxOf({ failureThreshold: 3, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 5, retryScheduleMs: [10_000, 20_000] });
const CONFIGURED_POLICY = {
  breaker: { failureThreshold: 3, openBaseMs: 1000, openMaxMs: 4000 },
  deadLetter: { streak: 5, retryScheduleSeconds: [10, 20] },
  jobs: { maxAttempts: 3, backoffBaseMs: 1000 },
};

// Failures at +0, +1 s, +2 s (opens 1 s), +3.5 s (reopens 2 s), +6 s (reopens 4 s; 5th in a row: dead-lettered for 10 s);
// the dead-letter retry at +16.5 s succeeds, +17.5 s succeeds.
const INCIDENT = [
  { at: 0, ok: false },
  { at: 1000, ok: false },
  { at: 2000, ok: false },
  { at: 3500, ok: false },
  { at: 6000, ok: false },
  { at: 16_500, ok: true },
  { at: 17_500, ok: true },
];

describe('POST /api/replay/what-if on a synthetic log (hand-computed expectations)', () => {
  let t: TestApp;
  let store: EventStore;
  let from: string;
  let to: string;
  let t0: number;
  const count = async () => Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  const append = async (appends: Append[]) => {
    for (const a of appends) await store.append(a.stream, a.events, 'any');
  };
  const whatIf = async (policy: unknown, extra: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/replay/what-if', { body: { from, to, policy, ...extra } });
    expect(res.status).toBe(200);
    return res.body;
  };
  const target = (body: any, key: string) => body.targets.find((x: any) => x.key === key);
  const job = (body: any, name: string) => body.jobs.find((x: any) => x.job === name);

  beforeAll(async () => {
    t = await startTestApp(ENV);
    store = t.app.get(EVENT_STORE);
    t0 = Date.now() + 2000; // the incident's own times lie inside the window
    // Recorded before the window: the first three failures of `split` (its breaker is open at the window start) and the first attempt of a run.
    const split = targetHistory('split', t0, INCIDENT, RECORDED);
    const splitAt = split.findIndex((a) => a.events.some((e) => e.type === 'BreakerOpened')) + 1;
    const longRun = runHistory('long', t0, ['fail', 'fail', 'fail'], { maxAttempts: 3, backoffBaseMs: 1000 });
    await append(split.slice(0, splitAt));
    await append(longRun.slice(0, 3)); // enqueued; claimed; failed + retry scheduled
    // The window starts after the last event recorded so far, and the rest is recorded after it.
    const { rows } = await t.db.pool.query<{ at: Date }>('SELECT max(recorded_at) AS at FROM events');
    from = new Date(rows[0].at.getTime() + 1).toISOString();
    await waitFor(
      "the database's clock to pass the window start",
      async () => (await t.db.pool.query('SELECT clock_timestamp() > $1::timestamptz AS past', [from])).rows[0].past,
      5000,
      1,
    );
    await append(split.slice(splitAt));
    await append(longRun.slice(3));
    await append(targetHistory('eu-1', t0, INCIDENT, RECORDED));
    await append(
      targetHistory(
        'healthy',
        t0,
        [
          { at: 0, ok: true },
          { at: 1000, ok: true },
        ],
        RECORDED,
      ),
    );
    await append(runHistory('nightly', t0, ['fail', 'fail', 'fail'], { maxAttempts: 3, backoffBaseMs: 1000 }));
    await append(runHistory('nightly', t0, ['fail', 'ok'], { maxAttempts: 3, backoffBaseMs: 1000 }));
    // The window reaches past the incident's data times (+17.5 s), so no open period is clipped.
    to = new Date(t0 + 30_000).toISOString();
  });
  afterAll(async () => t?.close());

  it('with the configured policy, the what-if equals what happened, for every target and job, and appends nothing', async () => {
    const before = await count();
    const body = await whatIf(CONFIGURED_POLICY);
    expect(await count()).toBe(before);
    expect(target(body, 'instance::eu-1').actual).toEqual({ breakerOpens: 3, timeOpenSeconds: 7, deadLetterEntries: 1, deadLetterRetries: 1, pollsSkipped: 0 });
    // `split` entered the window open (recorded before `from`, retryAt +3.01 s): that period counts from the window start, not as an opening.
    const splitOpenMs = t0 + 3010 - Date.parse(from) + 2000 + 4000;
    expect(target(body, 'instance::split').actual).toEqual({
      breakerOpens: 2,
      timeOpenSeconds: splitOpenMs / 1000,
      deadLetterEntries: 1,
      deadLetterRetries: 1,
      pollsSkipped: 0,
    });
    expect(target(body, 'instance::healthy').actual).toEqual({
      breakerOpens: 0,
      timeOpenSeconds: 0,
      deadLetterEntries: 0,
      deadLetterRetries: 0,
      pollsSkipped: 0,
    });
    // nightly: one run failed 3× (2 retries, 1 s + 2 s, dead-lettered), one failed once (1 retry, 1 s) then succeeded.
    expect(job(body, 'nightly')).toMatchObject({ runs: 2, actual: { retries: 3, deadLetters: 1, retryWaitSeconds: 4 } });
    // long: its first failure and retry were before the window.
    expect(job(body, 'long')).toMatchObject({ runs: 1, actual: { retries: 1, deadLetters: 1, retryWaitSeconds: 2 } });
    for (const x of [...body.targets, ...body.jobs]) expect(x.whatIf).toEqual(x.actual);
    expect(body.totals.targets.whatIf).toEqual(body.totals.targets.actual);
    expect(body.totals.jobs.whatIf).toEqual(body.totals.jobs.actual);
    expect(body.totals.targets.actual.breakerOpens).toBe(5);
    expect(body.totals.jobs.whatIfUnknownOutcomes).toBe(0);
  });

  it('an empty policy means the configured one', async () => {
    const body = await whatIf({});
    for (const x of [...body.targets, ...body.jobs]) expect(x.whatIf).toEqual(x.actual);
    expect(body.policy.whatIf.breaker).toEqual(CONFIGURED_POLICY.breaker);
  });

  it('a stricter policy opens sooner, skips the probes it would have refused and dead-letters sooner; fewer attempts dead-letter sooner', async () => {
    const body = await whatIf(
      { breaker: { failureThreshold: 2 }, deadLetter: { streak: 3 }, jobs: { maxAttempts: 2 } },
      { targets: ['instance::eu-1'], jobs: ['nightly'] },
    );
    expect(body.targets.map((x: any) => x.key)).toEqual(['instance::eu-1']);
    // Opens at +1.01 s until +2.01 s (+2 s refused); +3.5 s fails (3rd fed): reopens 2 s and dead-letters until +13.51 s (+6 s refused).
    expect(target(body, 'instance::eu-1').whatIf).toEqual({ breakerOpens: 2, timeOpenSeconds: 3, deadLetterEntries: 1, deadLetterRetries: 1, pollsSkipped: 2 });
    // Run 1: retry after attempt 1, dead-lettered after attempt 2 (attempt 3 not fed). Run 2: retried once, then succeeded: unchanged.
    expect(body.jobs).toEqual([
      {
        job: 'nightly',
        runs: 2,
        actual: { retries: 3, deadLetters: 1, retryWaitSeconds: 4 },
        whatIf: { retries: 2, deadLetters: 1, retryWaitSeconds: 2 },
        whatIfUnknownOutcomes: 0,
      },
    ]);
  });

  it('a looser policy opens later and dead-letters nothing; more attempts retry past the recorded ones (unknown outcome)', async () => {
    const body = await whatIf({
      breaker: { failureThreshold: 5, openBaseMs: 1000, openMaxMs: 4000 },
      deadLetter: { streak: 10 },
      jobs: { maxAttempts: 5, backoffBaseMs: 500 },
    });
    expect(target(body, 'instance::eu-1').whatIf).toEqual({ breakerOpens: 1, timeOpenSeconds: 1, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 0 });
    // Run 1: three retries (0.5 + 1 + 2 s), the last with an unknown outcome; run 2: one retry (0.5 s).
    expect(job(body, 'nightly')).toEqual({
      job: 'nightly',
      runs: 2,
      actual: { retries: 3, deadLetters: 1, retryWaitSeconds: 4 },
      whatIf: { retries: 4, deadLetters: 0, retryWaitSeconds: 4 },
      whatIfUnknownOutcomes: 1,
    });
    // long's third failure would be retried too: 2 unknown outcomes in all.
    expect(job(body, 'long')).toMatchObject({ whatIf: { retries: 2, deadLetters: 0, retryWaitSeconds: 1 + 2 }, whatIfUnknownOutcomes: 1 });
    expect(body.totals.jobs.whatIfUnknownOutcomes).toBe(2);
    expect(body.notes.join(' ')).toMatch(/2 failed attempt\(s\) would have been retried beyond the recorded attempts/);
  });

  it('bad input is a 400 naming the field, and appends nothing', async () => {
    const before = await count();
    const bad = async (body: unknown, field: string) => {
      const res = await t.request('POST', '/api/replay/what-if', { body });
      expect(res.status).toBe(400);
      expect(res.body.fields.map((f: any) => f.field)).toContain(field);
    };
    await bad({ to, policy: {} }, 'from');
    await bad({ from: '2026-01-01', to, policy: {} }, 'from');
    await bad({ from, to, policy: { breaker: { failureThreshold: 0 } } }, 'policy.breaker.failureThreshold');
    await bad({ from, to, policy: { breaker: { failureThreshold: 2, extra: 1 } } }, 'policy.breaker.extra');
    await bad({ from, to, policy: { deadLetter: { retryScheduleSeconds: [60, -1] } } }, 'policy.deadLetter.retryScheduleSeconds');
    await bad({ from, to, policy: { jobs: { maxAttempts: 'many' } } }, 'policy.jobs.maxAttempts');
    await bad({ from, to, policy: { breaker: { openBaseMs: 5000, openMaxMs: 1000 } } }, 'policy.breaker.openMaxMs');
    await bad({ from, to }, 'policy');
    await bad({ from, to, policy: {}, unknown: true }, 'unknown');
    await bad({ from, to: new Date(Date.parse(from) - 1000).toISOString(), policy: {} }, 'to');
    await bad({ from: new Date(Date.parse(to) - 40 * 86_400_000).toISOString(), to, policy: {} }, 'to');
    await bad({ from: new Date(Date.now() + 3_600_000).toISOString(), to: new Date(Date.now() + 7_200_000).toISOString(), policy: {} }, 'from');
    expect(await count()).toBe(before);
  });

  it('needs an admin token', async () => {
    const viewer = await t.request('POST', '/api/auth/tokens', { body: { name: 'what-if-viewer', role: 'operator', reason: 'test' } });
    expect(viewer.status).toBe(201);
    const res = await t.request('POST', '/api/replay/what-if', { body: { from, to, policy: {} }, token: viewer.body.token });
    expect(res.status).toBe(403);
    expect((await t.request('POST', '/api/replay/what-if', { body: { from, to, policy: {} }, token: null })).status).toBe(401);
  });
});
