import { evolveTarget, TargetState } from './target.state';
import type { TargetEvent } from './events/target.events';
import type { ProbeResult } from './probes/probe';
import { DecideContext, decideTarget, planPoll, TargetCommand, TargetRejected } from './target.decider';

const ctx: DecideContext = {
  rules: { breaker: { failureThreshold: 3, openBaseMs: 1000, openMaxMs: 8000 }, deadLetter: { streak: 4, retryScheduleMs: [60_000, 120_000] }, adaptiveEnabled: false, defaultIntervalMs: 10_000, minIntervalMs: 5_000, maxIntervalMs: 300_000 },
  random: () => 0.5,
  intervalFactor: 1,
};
const t0 = Date.parse('2025-10-20T13:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);
const spec = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } };
const registered: TargetEvent = { type: 'TargetRegistered', data: { key: 'instance::eu-1', spec, source: 'api', at: at(0).toISOString() } };

const given = (...events: TargetEvent[]) => events.reduce<TargetState | null>((s, e) => evolveTarget(s, e), null);
const when = (s: TargetState | null, cmd: TargetCommand) => decideTarget(cmd, s, ctx);
const ok: ProbeResult = { ok: true, statusCode: 200, durationMs: 3 };
const boom: ProbeResult = { ok: false, statusCode: 500, durationMs: 3, failureKind: 'http_5xx', category: 'transient', message: '500 internal server error' };
const denied: ProbeResult = { ok: false, statusCode: 401, durationMs: 3, failureKind: 'http_4xx', category: 'permanent', message: '401 unauthorized' };
const outcome = (result: ProbeResult, ms: number): TargetCommand => ({ type: 'RecordPollOutcome', at: at(ms), result, startedAt: at(ms), finishedAt: at(ms), dueAt: at(ms), trigger: 'schedule' });

/** Folds the decided events in, so a scenario reads as a sequence of whens. */
function run(s: TargetState | null, ...cmds: TargetCommand[]): { state: TargetState | null; events: TargetEvent[] } {
  const events: TargetEvent[] = [];
  for (const c of cmds) {
    const evs = when(s, c);
    events.push(...evs);
    s = evs.reduce<TargetState | null>((x, e) => evolveTarget(x, e), s);
  }
  return { state: s, events };
}

describe('target decider', () => {
  it('registers once; a second registration is a conflict', () => {
    expect(when(null, { type: 'RegisterTarget', spec, source: 'api', at: at(0) })).toEqual([registered]);
    expect(() => when(given(registered), { type: 'RegisterTarget', spec, source: 'api', at: at(0) })).toThrow(TargetRejected);
  });

  it('commands on an unknown target are not_found', () => {
    expect(() => when(null, { type: 'PauseTarget', at: at(0) })).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('a success schedules the next poll one interval later', () => {
    const [e] = when(given(registered), outcome(ok, 0));
    expect(e.type).toBe('PollSucceeded');
    expect(e.type === 'PollSucceeded' && e.data.nextPollAt).toBe(at(10_000).toISOString());
  });

  it('failures open the breaker at the threshold; a due poll is then skipped until retryAt', () => {
    const { state, events } = run(given(registered), outcome(boom, 0), outcome(boom, 10_000), outcome(boom, 20_000));
    expect(events.map((e) => e.type)).toEqual(['PollFailed', 'PollFailed', 'PollFailed', 'BreakerOpened']);
    expect(state!.breaker).toMatchObject({ state: 'open', failureCount: 3, trips: 1, retryAt: at(21_000).toISOString() });
    expect(state!.nextDueAt).toBe(at(21_000).toISOString());
    expect(planPoll(state, at(20_500))).toEqual({ action: 'wait', until: t0 + 21_000 });
    expect(planPoll({ ...state!, nextDueMs: t0 + 20_500 }, at(20_500))).toEqual({ action: 'skip' });
    expect(when({ ...state!, nextDueMs: t0 + 20_500 }, { type: 'SkipPoll', at: at(20_500) })[0]).toMatchObject({ type: 'PollSkipped', data: { nextPollAt: at(21_000).toISOString() } });
    expect(planPoll(state, at(21_000))).toEqual({ action: 'probe', trigger: 'half_open', halfOpen: true });
  });

  it('half-open success closes the breaker; failure reopens with double time', () => {
    const open = run(given(registered), outcome(boom, 0), outcome(boom, 1), outcome(boom, 2)).state;
    const half = run(open, { type: 'AdmitProbe', at: at(1002), force: false }).state!;
    expect(half.breaker.state).toBe('half_open');
    expect(run(half, outcome(ok, 1002)).state!.breaker).toMatchObject({ state: 'closed', failureCount: 0, trips: 0 });
    const reopened = run(half, outcome(boom, 1002)).state!;
    expect(reopened.breaker).toMatchObject({ state: 'open', trips: 2, retryAt: at(3002).toISOString() });
  });

  it('a permanent failure dead-letters at once; the dead-letter wait overrides the interval', () => {
    const { state, events } = run(given(registered), outcome(denied, 0));
    expect(events.map((e) => e.type)).toEqual(['PollFailed', 'TargetDeadLettered']);
    expect(state!.deadLetter).toMatchObject({ reason: 'permanent_failure', retryCount: 0, nextRetry: at(60_000).toISOString() });
    expect(state!.nextDueAt).toBe(at(60_000).toISOString());
    expect(planPoll(state, at(59_999)).action).toBe('wait');
    expect(planPoll(state, at(60_000))).toEqual({ action: 'probe', trigger: 'dead_letter_retry', halfOpen: false });
  });

  it('a transient streak dead-letters; a success recovers it', () => {
    const dl = run(given(registered), outcome(boom, 0), outcome(boom, 1), outcome(boom, 2), outcome(boom, 3));
    expect(dl.state!.deadLetter?.reason).toBe('max_retry_attempts');
    const back = run(dl.state, { type: 'AdmitProbe', at: at(60_003), force: true }, outcome(ok, 60_003));
    expect(back.events.map((e) => e.type)).toEqual(['BreakerHalfOpened', 'PollSucceeded', 'BreakerClosed', 'TargetRecovered']);
    expect(back.state!.deadLetter).toBeNull();
  });

  it('redrive needs a dead-lettered target and forces the next probe', () => {
    expect(() => when(given(registered), { type: 'RedriveTarget', at: at(0) })).toThrow(/not dead-lettered/);
    const dl = run(given(registered), outcome(denied, 0)).state;
    const { state, events } = run(dl, { type: 'RedriveTarget', at: at(5) });
    expect(events.map((e) => e.type)).toEqual(['TargetRedriven']);
    expect(state!.deadLetter).toBeNull();
    expect(planPoll(state, at(5))).toEqual({ action: 'probe', trigger: 'requested', halfOpen: false });
  });

  it('pause stops polling; change is a no-op when the spec is the same', () => {
    const paused = run(given(registered), { type: 'PauseTarget', at: at(1) }).state;
    expect(planPoll(paused, at(100_000))).toEqual({ action: 'none' });
    expect(when(paused, { type: 'PauseTarget', at: at(2) })).toEqual([]);
    expect(when(paused, { type: 'ChangeTarget', spec: { ...spec }, at: at(2) })).toEqual([]);
    expect(when(paused, { type: 'ChangeTarget', spec: { ...spec, intervalSeconds: 30 }, at: at(2) }).map((e) => e.type)).toEqual(['TargetChanged']);
  });
});
