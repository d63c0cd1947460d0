import { evolveTarget, TargetState } from '../polling/target.state';
import { BreakerConfig, breakerAdmits } from '../polling/breaker.decider';
import type { DeadLetterConfig } from '../polling/dead-letter.decider';
import type { TargetEvent } from '../polling/events/target.events';
import type { ProbeResult } from '../polling/probes/probe';
import type { PollRules } from '../polling/poll-rules';
import { DecideContext, TargetCommand, targetDecider } from '../polling/target.decider';
import { eventsOrThrow } from '../shared/decider';
import { TargetReplay } from './target-replay';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const KEY = 'instance::eu-1';
const SPEC = { type: 'instance', name: 'eu-1', probe: { kind: 'http', url: 'http://127.0.0.1:1/' } };
const PROBE_MS = 10;

const ctxOf = (breaker: BreakerConfig, deadLetter: DeadLetterConfig): DecideContext => {
  const rules: PollRules = { breaker, deadLetter, adaptiveEnabled: false, defaultIntervalMs: 1000, minIntervalMs: 100, maxIntervalMs: 10_000 };
  return { rules, random: () => 0.5, intervalFactor: 1 };
};

// The policy the history below was recorded with.
const RECORDED = ctxOf({ failureThreshold: 3, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 5, retryScheduleMs: [10_000, 20_000] });

type Step = { at: number; ok: boolean; requested?: boolean; blocked?: boolean } | { at: number; reset: true };

/** Plays a script of probe outcomes through the scheduler's deciders, as the poll scheduler would record it. */
function record(script: Step[], ctx: DecideContext): TargetEvent[] {
  const out: TargetEvent[] = [];
  let s: TargetState | null = null;
  const decide = (cmd: TargetCommand, state: TargetState | null) => eventsOrThrow(targetDecider(ctx).decide(cmd, state));
  const push = (evs: readonly TargetEvent[]) => {
    for (const e of evs) {
      out.push(e);
      s = evolveTarget(s, e);
    }
  };
  push(decide({ type: 'RegisterTarget', spec: SPEC, source: 'api', at: new Date(T0 - 500) }, null));
  for (const step of script) {
    const at = new Date(T0 + step.at);
    const cur = s!;
    if ('reset' in step) {
      push(decide({ type: 'ResetBreaker', key: KEY, at }, cur));
      continue;
    }
    if (step.requested) push(decide({ type: 'RequestPoll', key: KEY, at }, cur));
    const trigger = step.requested ? 'requested' : cur.deadLetter ? 'dead_letter_retry' : cur.breaker.state === 'open' ? 'half_open' : 'schedule';
    const allowed = step.requested || (cur.deadLetter ? at.getTime() >= Date.parse(cur.deadLetter.nextRetry) : breakerAdmits(cur.breaker, at));
    if (!allowed) throw new Error(`script error: the recorded policy would not probe at +${step.at}`);
    if (s!.breaker.state === 'open') push(decide({ type: 'AdmitProbe', key: KEY, at, force: trigger !== 'half_open' }, s!));
    const fin = new Date(at.getTime() + PROBE_MS);
    const result: ProbeResult = step.ok
      ? { ok: true, statusCode: 200, durationMs: PROBE_MS }
      : step.blocked
        ? {
            ok: false,
            statusCode: null,
            durationMs: PROBE_MS,
            failureKind: 'blocked_by_policy',
            category: 'config',
            message: 'egress policy refused 127.0.0.1:1 (loopback)',
          }
        : { ok: false, statusCode: 500, durationMs: PROBE_MS, failureKind: 'http_5xx', category: 'transient', message: '500 internal server error' };
    push(decide({ type: 'RecordPollOutcome', key: KEY, at: fin, result, startedAt: at, finishedAt: fin, dueAt: at, trigger }, s!));
  }
  return out;
}

function replay(events: TargetEvent[], ctx: DecideContext, start: TargetState | null = null, fromMs = T0 - 1000, toMs = T0 + 30_000) {
  const r = new TargetReplay(KEY, start, ctx, { fromMs, toMs });
  for (const e of events) r.feed(e);
  return r.finish();
}

// Failures at +0, +1 s, +2 s (open 1 s), +3.5 s (reopen 2 s), +6 s (reopen 4 s, dead-lettered: 5 in a row), then the first
// dead-letter retry at +16.5 s succeeds (half-open → closed, recovered) and +17.5 s succeeds.
const INCIDENT: Step[] = [
  { at: 0, ok: false },
  { at: 1000, ok: false },
  { at: 2000, ok: false },
  { at: 3500, ok: false },
  { at: 6000, ok: false },
  { at: 16_500, ok: true },
  { at: 17_500, ok: true },
];

describe('TargetReplay', () => {
  const history = record(INCIDENT, RECORDED);

  it('given a recorded incident, when replayed with the recorded policy, then the what-if equals what happened', () => {
    const { actual, whatIf } = replay(history, RECORDED);
    // Opens at +2.01 s (1 s), +3.51 s (2 s), +6.01 s (4 s, capped); one dead-letter entry and one (successful) retry.
    expect(actual).toEqual({ breakerOpens: 3, timeOpenSeconds: 7, deadLetterEntries: 1, deadLetterRetries: 1, pollsSkipped: 0 });
    expect(whatIf).toEqual(actual);
  });

  it('given a stricter policy, then the breaker opens sooner, recorded probes it would have refused are skipped, and it dead-letters sooner', () => {
    const strict = ctxOf({ failureThreshold: 2, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 3, retryScheduleMs: [10_000, 20_000] });
    const { whatIf } = replay(history, strict);
    // Opens at +1.01 s until +2.01 s: the +2 s probe is refused. +3.5 s half-opens, fails (3rd in a row): reopens
    // 2 s and dead-letters until +13.51 s, so +6 s is refused; +16.5 s is the dead-letter retry and succeeds.
    expect(whatIf).toEqual({ breakerOpens: 2, timeOpenSeconds: 3, deadLetterEntries: 1, deadLetterRetries: 1, pollsSkipped: 2 });
  });

  it('given a looser policy, then the breaker opens once, later, and nothing is dead-lettered', () => {
    const loose = ctxOf({ failureThreshold: 5, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 10, retryScheduleMs: [10_000] });
    const { whatIf } = replay(history, loose);
    expect(whatIf).toEqual({ breakerOpens: 1, timeOpenSeconds: 1, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 0 });
  });

  it('given a longer open time, then probes inside it are skipped and time open grows', () => {
    const slow = ctxOf({ failureThreshold: 3, openBaseMs: 2000, openMaxMs: 4000 }, { streak: 5, retryScheduleMs: [10_000, 20_000] });
    const { whatIf } = replay(history, slow);
    // Opens at +2.01 s until +4.01 s: +3.5 s refused. +6 s half-opens, fails (4th): reopens 4 s (+6.01 s → +10.01 s).
    // +16.5 s probes (half-open) and succeeds: closed. Only 4 failures fed: never dead-lettered.
    expect(whatIf).toEqual({ breakerOpens: 2, timeOpenSeconds: 6, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 1 });
  });

  it('given an operator reset and a poll-now, then both happen whatever the policy', () => {
    const script: Step[] = [
      { at: 0, ok: false },
      { at: 1000, ok: false },
      { at: 2000, ok: false }, // recorded: opens until +3.01 s
      { at: 2500, reset: true },
      { at: 2600, ok: false, requested: true },
    ];
    const h = record(script, RECORDED);
    expect(replay(h, RECORDED).whatIf).toEqual(replay(h, RECORDED).actual);
    const strict = ctxOf({ failureThreshold: 1, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 5, retryScheduleMs: [10_000] });
    // Threshold 1: opens at +0.01 s (until +1.01 s); +1 s is refused; +1.01 s passed by +2 s: half-open, fails, reopens 2 s
    // (+2.01 s); the reset at +2.5 s closes it; the poll-now at +2.6 s is made, fails, opens again (trips reset).
    expect(replay(h, strict).whatIf).toEqual({ breakerOpens: 3, timeOpenSeconds: 1 + 0.49 + 1, deadLetterEntries: 0, deadLetterRetries: 0, pollsSkipped: 1 });
  });

  it('given refusals by the egress policy, then any policy dead-letters at the first one and no breaker opens', () => {
    // Refused at +0 (dead-lettered at +0.01 s); the retry at +10.01 s is refused again; then EGRESS_ALLOW changed and
    // the retry at +30.02 s succeeds.
    const h = record(
      [
        { at: 0, ok: false, blocked: true },
        { at: 10_010, ok: false, blocked: true },
        { at: 30_100, ok: true },
      ],
      RECORDED,
    );
    const { actual, whatIf } = replay(h, RECORDED, null, T0 - 1000, T0 + 40_000);
    expect(actual).toEqual({ breakerOpens: 0, timeOpenSeconds: 0, deadLetterEntries: 1, deadLetterRetries: 2, pollsSkipped: 0 });
    expect(whatIf).toEqual(actual);
    const loose = ctxOf({ failureThreshold: 1, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 10, retryScheduleMs: [10_000] });
    expect(replay(h, loose, null, T0 - 1000, T0 + 40_000).whatIf).toEqual(actual);
  });

  it('given a breaker open at the window start, then its open time counts from the window start', () => {
    const before = history.slice(0, history.findIndex((e) => e.type === 'BreakerOpened') + 1);
    const after = history.slice(before.length);
    const start = before.reduce<TargetState | null>((s, e) => evolveTarget(s, e), null);
    const fromMs = T0 + 2500; // halfway through the first open second
    const { actual, whatIf } = replay(after, RECORDED, start, fromMs);
    expect(actual).toEqual({ breakerOpens: 2, timeOpenSeconds: 0.51 + 2 + 4, deadLetterEntries: 1, deadLetterRetries: 1, pollsSkipped: 0 });
    expect(whatIf).toEqual(actual);
  });
});
