import { spec as deciderSpec } from '../../test/support/given';
import { isRejection } from '../shared/decider';
import type { TargetEvent } from './events/target.events';
import type { ProbeResult } from './probes/probe';
import { DecideContext, planPoll, TargetCommand, targetDecider } from './target.decider';

const ctx: DecideContext = {
  rules: {
    breaker: { failureThreshold: 3, openBaseMs: 1000, openMaxMs: 8000 },
    deadLetter: { streak: 4, retryScheduleMs: [60_000, 120_000] },
    adaptiveEnabled: false,
    defaultIntervalMs: 10_000,
    minIntervalMs: 5_000,
    maxIntervalMs: 300_000,
  },
  random: () => 0.5,
  intervalFactor: 1,
};
const t0 = Date.parse('2025-10-20T13:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);
const key = 'instance::eu-1';
const spec = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } };
const registered: TargetEvent = { type: 'TargetRegistered', data: { key, spec, source: 'api', at: at(0).toISOString() } };

const { given } = deciderSpec(targetDecider(ctx));
const ok: ProbeResult = { ok: true, statusCode: 200, durationMs: 3 };
const boom: ProbeResult = { ok: false, statusCode: 500, durationMs: 3, failureKind: 'http_5xx', category: 'transient', message: '500 internal server error' };
const denied: ProbeResult = { ok: false, statusCode: 401, durationMs: 3, failureKind: 'http_4xx', category: 'permanent', message: '401 unauthorized' };
const outcome = (result: ProbeResult, ms: number): TargetCommand => ({
  type: 'RecordPollOutcome',
  key,
  at: at(ms),
  result,
  startedAt: at(ms),
  finishedAt: at(ms),
  dueAt: at(ms),
  trigger: 'schedule',
});

/** The events a sequence of commands appends after `history`, each decided on what the ones before left: a scenario reads as a sequence of whens. */
function decided(history: readonly TargetEvent[], ...cmds: TargetCommand[]): TargetEvent[] {
  const events = [...history];
  for (const c of cmds) {
    const decision = given(...events).when(c).decision;
    if (isRejection(decision)) throw new Error(`rejected: ${decision.reason}`);
    events.push(...decision);
  }
  return events.slice(history.length);
}
const stateOf = (...events: TargetEvent[]) => given(...events).state;

describe('target decider', () => {
  it('registers once; a second registration is a conflict', () => {
    given()
      .when({ type: 'RegisterTarget', spec, source: 'api', at: at(0) })
      .then([registered]);
    given(registered)
      .when({ type: 'RegisterTarget', spec, source: 'api', at: at(0) })
      .thenRejects('conflict');
  });

  it('commands on an unknown target are not_found', () => {
    expect(
      given()
        .when({ type: 'PauseTarget', key, at: at(0) })
        .thenRejects('not_found').reason,
    ).toBe(`no target ${key}`);
  });

  it('refuses a fixed interval below the minimum, naming intervalSeconds', () => {
    given()
      .when({ type: 'RegisterTarget', spec: { ...spec, intervalSeconds: 1 }, source: 'api', at: at(0) })
      .thenRejects('invalid', 'intervalSeconds');
    given(registered)
      .when({ type: 'ChangeTarget', key, spec: { ...spec, intervalSeconds: 1 }, at: at(1) })
      .thenRejects('invalid', 'intervalSeconds');
  });

  it('a success schedules the next poll one interval later', () => {
    const [e] = decided([registered], outcome(ok, 0));
    expect(e.type).toBe('PollSucceeded');
    expect(e.type === 'PollSucceeded' && e.data.nextPollAt).toBe(at(10_000).toISOString());
  });

  it('failures open the breaker at the threshold; a due poll is then skipped until retryAt', () => {
    const events = decided([registered], outcome(boom, 0), outcome(boom, 10_000), outcome(boom, 20_000));
    const state = stateOf(registered, ...events);
    expect(events.map((e) => e.type)).toEqual(['PollFailed', 'PollFailed', 'PollFailed', 'BreakerOpened']);
    expect(state!.breaker).toMatchObject({ state: 'open', failureCount: 3, trips: 1, retryAt: at(21_000).toISOString() });
    expect(state!.nextDueAt).toBe(at(21_000).toISOString());
    expect(planPoll(state, at(20_500))).toEqual({ action: 'wait', until: t0 + 21_000 });
    expect(planPoll({ ...state!, nextDueMs: t0 + 20_500 }, at(20_500))).toEqual({ action: 'skip' });
    expect(
      given(registered, ...events)
        .when({ type: 'SkipPoll', key, at: at(20_500) })
        .then([expect.objectContaining({ type: 'PollSkipped' })])[0],
    ).toMatchObject({ type: 'PollSkipped', data: { nextPollAt: at(21_000).toISOString() } });
    expect(planPoll(state, at(21_000))).toEqual({ action: 'probe', trigger: 'half_open', halfOpen: true });
  });

  it('starting a due poll: skipped while the breaker is shut, half-opened when one probe is let through, nothing otherwise', () => {
    const open = [registered, ...decided([registered], outcome(boom, 0), outcome(boom, 1), outcome(boom, 2))];
    // Resumed while open: due at once, but the breaker keeps it shut until its retryAt.
    const resumed = [...open, ...decided(open, { type: 'PauseTarget', key, at: at(400) }, { type: 'ResumeTarget', key, at: at(500) })];
    given(...resumed)
      .when({ type: 'StartPoll', key, at: at(500) })
      .then([
        {
          type: 'PollSkipped',
          data: { key, at: at(500).toISOString(), reason: 'breaker_open', retryAt: at(1002).toISOString(), nextPollAt: at(1002).toISOString() },
        },
      ]);
    given(...open)
      .when({ type: 'StartPoll', key, at: at(1002) })
      .then([
        {
          type: 'BreakerHalfOpened',
          data: { key, since: at(1002).toISOString(), lastTransition: at(1002).toISOString(), retryAt: at(1002).toISOString(), failureCount: 3, trips: 1 },
        },
      ]);
    const requested = decided(open, { type: 'RequestPoll', key, at: at(600) });
    expect(
      given(...open, ...requested)
        .when({ type: 'StartPoll', key, at: at(600) })
        .then([expect.objectContaining({ type: 'BreakerHalfOpened' })]),
    ).toHaveLength(1);
    given(registered)
      .when({ type: 'StartPoll', key, at: at(0) })
      .then([]);
  });

  it('half-open success closes the breaker; failure reopens with double time', () => {
    const open = [registered, ...decided([registered], outcome(boom, 0), outcome(boom, 1), outcome(boom, 2))];
    const half = [...open, ...decided(open, { type: 'AdmitProbe', key, at: at(1002), force: false })];
    expect(stateOf(...half)!.breaker.state).toBe('half_open');
    expect(stateOf(...half, ...decided(half, outcome(ok, 1002)))!.breaker).toMatchObject({ state: 'closed', failureCount: 0, trips: 0 });
    expect(stateOf(...half, ...decided(half, outcome(boom, 1002)))!.breaker).toMatchObject({ state: 'open', trips: 2, retryAt: at(3002).toISOString() });
  });

  it('a permanent failure dead-letters at once; the dead-letter wait overrides the interval', () => {
    const events = decided([registered], outcome(denied, 0));
    const state = stateOf(registered, ...events);
    expect(events.map((e) => e.type)).toEqual(['PollFailed', 'TargetDeadLettered']);
    expect(state!.deadLetter).toMatchObject({ reason: 'permanent_failure', retryCount: 0, nextRetry: at(60_000).toISOString() });
    expect(state!.nextDueAt).toBe(at(60_000).toISOString());
    expect(planPoll(state, at(59_999)).action).toBe('wait');
    expect(planPoll(state, at(60_000))).toEqual({ action: 'probe', trigger: 'dead_letter_retry', halfOpen: false });
  });

  it('a transient streak dead-letters; a success recovers it', () => {
    const dl = [registered, ...decided([registered], outcome(boom, 0), outcome(boom, 1), outcome(boom, 2), outcome(boom, 3))];
    expect(stateOf(...dl)!.deadLetter?.reason).toBe('max_retry_attempts');
    const back = decided(dl, { type: 'AdmitProbe', key, at: at(60_003), force: true }, outcome(ok, 60_003));
    expect(back.map((e) => e.type)).toEqual(['BreakerHalfOpened', 'PollSucceeded', 'BreakerClosed', 'TargetRecovered']);
    expect(stateOf(...dl, ...back)!.deadLetter).toBeNull();
  });

  it('redrive needs a dead-lettered target and forces the next probe', () => {
    expect(
      given(registered)
        .when({ type: 'RedriveTarget', key, at: at(0) })
        .thenRejects('conflict').reason,
    ).toMatch(/not dead-lettered/);
    const dl = [registered, ...decided([registered], outcome(denied, 0))];
    const events = decided(dl, { type: 'RedriveTarget', key, at: at(5) });
    const state = stateOf(...dl, ...events);
    expect(events.map((e) => e.type)).toEqual(['TargetRedriven']);
    expect(state!.deadLetter).toBeNull();
    expect(planPoll(state, at(5))).toEqual({ action: 'probe', trigger: 'requested', halfOpen: false });
  });

  it('pause stops polling; change is a no-op when the spec is the same', () => {
    const paused = [registered, ...decided([registered], { type: 'PauseTarget', key, at: at(1) })];
    expect(planPoll(stateOf(...paused), at(100_000))).toEqual({ action: 'none' });
    given(...paused)
      .when({ type: 'PauseTarget', key, at: at(2) })
      .then([]);
    given(...paused)
      .when({ type: 'ChangeTarget', key, spec: { ...spec }, at: at(2) })
      .then([]);
    expect(decided(paused, { type: 'ChangeTarget', key, spec: { ...spec, intervalSeconds: 30 }, at: at(2) }).map((e) => e.type)).toEqual(['TargetChanged']);
  });

  it('a poll-now on a paused target is a conflict', () => {
    const paused = [registered, ...decided([registered], { type: 'PauseTarget', key, at: at(1) })];
    given(...paused)
      .when({ type: 'RequestPoll', key, at: at(2) })
      .thenRejects('conflict');
  });

  describe('freshness objective', () => {
    const objective = { objective: 99.5, maxAgeSeconds: 300, window: '30d' as const };
    const set: TargetEvent = { type: 'FreshnessObjectiveSet', data: { key, at: at(1000).toISOString(), objective, previous: null } };

    it('sets, changes (naming the previous one) and clears it; setting the same one again appends nothing', () => {
      given(registered)
        .when({ type: 'SetFreshnessObjective', key, objective, at: at(1000) })
        .then([set]);
      expect(stateOf(registered, set)!.spec.freshness).toEqual(objective);
      const tighter = { ...objective, objective: 99.9 };
      given(registered, set)
        .when({ type: 'SetFreshnessObjective', key, objective: tighter, at: at(2000) })
        .then([{ type: 'FreshnessObjectiveSet', data: { key, at: at(2000).toISOString(), objective: tighter, previous: objective } }]);
      given(registered, set)
        .when({ type: 'SetFreshnessObjective', key, objective, at: at(2000) })
        .then([]);
      const cleared: TargetEvent = { type: 'FreshnessObjectiveCleared', data: { key, at: at(3000).toISOString(), previous: objective } };
      given(registered, set)
        .when({ type: 'ClearFreshnessObjective', key, at: at(3000) })
        .then([cleared]);
      expect(stateOf(registered, set, cleared)!.spec).toEqual(spec);
    });

    it('refuses to clear a missing objective, and an objective a fixed interval can never meet', () => {
      given(registered)
        .when({ type: 'ClearFreshnessObjective', key, at: at(1000) })
        .thenRejects('not_found');
      given()
        .when({ type: 'SetFreshnessObjective', key, objective, at: at(1000) })
        .thenRejects('not_found');
      const slow = { ...spec, intervalSeconds: 600 };
      given({ type: 'TargetRegistered', data: { key, spec: slow, source: 'api', at: at(0).toISOString() } })
        .when({ type: 'SetFreshnessObjective', key, objective, at: at(1000) })
        .thenRejects('invalid', 'maxAgeSeconds');
      given()
        .when({ type: 'RegisterTarget', spec: { ...slow, freshness: objective }, source: 'api', at: at(0) })
        .thenRejects('invalid', 'freshness.maxAgeSeconds');
      given(registered, set)
        .when({ type: 'ChangeTarget', key, spec: { ...spec, intervalSeconds: 300, freshness: objective }, at: at(2000) })
        .thenRejects('invalid', 'freshness.maxAgeSeconds');
    });

    it('caps the adaptive interval at half of maxAgeSeconds', () => {
      const adaptive = targetDecider({ ...ctx, rules: { ...ctx.rules, adaptiveEnabled: true } });
      const evolveAll = (events: TargetEvent[]) => events.reduce(adaptive.evolve, adaptive.initialState);
      const intervalAfter = (history: TargetEvent[]) => {
        const decision = adaptive.decide(outcome(ok, 60_000), evolveAll(history));
        if (isRejection(decision)) throw new Error(decision.reason);
        return (decision[0] as Extract<TargetEvent, { type: 'PollSucceeded' }>).data.interval;
      };
      expect(intervalAfter([registered]).maxMs).toBe(300_000);
      expect(intervalAfter([registered, set]).maxMs).toBe(150_000);
      expect(intervalAfter([registered, set]).chosenMs).toBeLessThanOrEqual(150_000);
    });
  });

  it('the pause endpoint: reason, who and resumeAt on the event; 409 when paused already or not paused; resumeAt must be in the future', () => {
    given(registered)
      .when({ type: 'PauseTarget', key, at: at(1), reason: 'flapping', actor: 'alice', resumeAt: at(60_000).toISOString(), strict: true })
      .then([{ type: 'TargetPaused', data: { key, at: at(1).toISOString(), reason: 'flapping', pausedBy: 'alice', resumeAt: at(60_000).toISOString() } }]);
    given(registered)
      .when({ type: 'PauseTarget', key, at: at(1), reason: 'x', actor: 'a', resumeAt: at(1).toISOString(), strict: true })
      .thenRejects('invalid', 'resumeAt');
    const paused = [registered, ...decided([registered], { type: 'PauseTarget', key, at: at(1), reason: 'flapping', actor: 'alice', strict: true })];
    expect(stateOf(...paused)!.pause).toEqual({ reason: 'flapping', by: 'alice', since: at(1).toISOString(), resumeAt: null });
    const again = given(...paused)
      .when({ type: 'PauseTarget', key, at: at(2), reason: 'x', actor: 'bob', strict: true })
      .thenRejects('conflict');
    expect(again.reason).toBe(`target ${key} is paused already (by alice since ${at(1).toISOString()}: "flapping"); resume it first`);
    given(registered)
      .when({ type: 'ResumeTarget', key, at: at(2), reason: 'x', actor: 'bob', strict: true })
      .thenRejects('conflict');
  });

  it('resumed by the endpoint or by its resumeAt, a target keeps its cadence: its next due time at or after the resume', () => {
    // Polled at 0 with a fixed 10 s interval: due at 10 s, 20 s, 30 s…
    const polled = [registered, ...decided([registered], outcome(ok, 0))];
    const paused = [
      ...polled,
      ...decided(polled, { type: 'PauseTarget', key, at: at(1000), reason: 'r', actor: 'alice', resumeAt: at(25_000).toISOString(), strict: true }),
    ];
    expect(planPoll(stateOf(...paused), at(12_000))).toEqual({ action: 'none' });
    const resumed = decided(paused, { type: 'ResumeTarget', key, at: at(12_000), reason: 'done', actor: 'bob', strict: true });
    expect(resumed).toEqual([
      { type: 'TargetResumed', data: { key, at: at(12_000).toISOString(), nextPollAt: at(20_000).toISOString(), reason: 'done', resumedBy: 'bob' } },
    ]);
    // Nothing to record before resumeAt; at it (or later), the automatic resume, dated at resumeAt.
    given(...paused)
      .when({ type: 'ExpireTargetPause', key, at: at(24_999) })
      .then([]);
    given(...paused)
      .when({ type: 'ExpireTargetPause', key, at: at(25_400) })
      .then([
        {
          type: 'TargetResumed',
          data: { key, at: at(25_000).toISOString(), nextPollAt: at(30_000).toISOString(), reason: 'resumeAt reached', resumedBy: 'system', auto: true },
        },
      ]);
    given(...paused, ...resumed)
      .when({ type: 'ExpireTargetPause', key, at: at(25_400) })
      .then([]);
  });
});
