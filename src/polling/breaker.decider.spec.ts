import { spec } from '../../test/support/given';
import { isRejection } from '../shared/decider';
import { BreakerCommand, breakerAdmits, breakerDecider, openDurationMs } from './breaker.decider';
import type { TargetEvent } from './events/target.events';

const cfg = { failureThreshold: 3, openBaseMs: 1000, openMaxMs: 5000 };
const t0 = new Date('2025-10-20T13:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const key = 'k';
const { given } = spec(breakerDecider);

const fail = (ms: number, category?: 'transient' | 'config'): BreakerCommand => ({ type: 'RecordOutcome', key, config: cfg, ok: false, at: at(ms), category });
const succeed = (ms: number): BreakerCommand => ({ type: 'RecordOutcome', key, config: cfg, ok: true, at: at(ms) });
const admit = (ms: number, force?: boolean): BreakerCommand => ({ type: 'AdmitProbe', key, config: cfg, at: at(ms), force });

/** A failed poll of the target: the breaker counts it toward opening (the breaker's state is folded from every target event). */
const failed = (ms: number): TargetEvent => ({
  type: 'PollFailed',
  data: {
    key,
    at: at(ms).toISOString(),
    durationMs: 3,
    statusCode: 500,
    trigger: 'schedule',
    dueAt: at(ms).toISOString(),
    interval: {
      mode: 'fixed',
      baseMs: 1000,
      minMs: 1000,
      maxMs: 1000,
      stalenessScore: 0,
      recentErrors: 1,
      previousMs: 1000,
      rawMs: 1000,
      smoothedMs: 1000,
      jitter: 1,
      factor: 1,
      chosenMs: 1000,
    },
    nextPollAt: at(ms + 1000).toISOString(),
    failureKind: 'http_5xx',
    category: 'transient',
    message: '500 internal server error',
    consecutiveFailures: 1,
  },
});

/** `history` followed by the failed poll at `ms` and the transition the breaker decides for it. */
function afterFailure(history: TargetEvent[], ms: number): TargetEvent[] {
  const decision = given(...history).when(fail(ms)).decision;
  if (isRejection(decision)) throw new Error(decision.reason);
  return [...history, failed(ms), ...decision];
}
const nearlyOpen = [failed(-3000), failed(-2000)];
/** Opened by its third failure at -openBaseMs: retryAt is t0. */
const opened = afterFailure(nearlyOpen, -cfg.openBaseMs);
/** Half-opened at t0 after its first trip. */
const halfOpen = [
  ...opened,
  ...given(...opened)
    .when(admit(0))
    .then([expect.objectContaining({ type: 'BreakerHalfOpened' })]),
];

describe('breaker decider', () => {
  it('stays closed below the threshold', () => {
    given(failed(-1000)).when(fail(0)).then([]);
  });

  it('opens on the Nth consecutive failure with retryAt = base', () => {
    given(...nearlyOpen)
      .when(fail(0))
      .then([
        {
          type: 'BreakerOpened',
          data: {
            key,
            since: at(0).toISOString(),
            lastTransition: at(0).toISOString(),
            retryAt: at(cfg.openBaseMs).toISOString(),
            failureCount: cfg.failureThreshold,
            trips: 1,
          },
        },
      ]);
  });

  it('does not admit before retryAt, half-opens after it', () => {
    const open = afterFailure(nearlyOpen, 0);
    expect(breakerAdmits(given(...open).state, at(cfg.openBaseMs - 1))).toBe(false);
    given(...open)
      .when(admit(cfg.openBaseMs - 1))
      .then([]);
    const [half] = given(...open)
      .when(admit(cfg.openBaseMs))
      .then([expect.objectContaining({ type: 'BreakerHalfOpened' })]);
    expect(half.data).toMatchObject({ since: at(cfg.openBaseMs).toISOString() });
  });

  it('a forced probe half-opens before retryAt', () => {
    given(...afterFailure(nearlyOpen, 0))
      .when(admit(1, true))
      .then([expect.objectContaining({ type: 'BreakerHalfOpened' })]);
  });

  it('half_open → closed and reset on success', () => {
    given(...halfOpen)
      .when(succeed(5))
      .then([
        { type: 'BreakerClosed', data: { key, since: at(5).toISOString(), lastTransition: at(5).toISOString(), retryAt: null, failureCount: 0, trips: 0 } },
      ]);
  });

  it('half_open → open again on failure with a doubled open time, capped', () => {
    const [e] = given(...halfOpen)
      .when(fail(0))
      .then([expect.objectContaining({ type: 'BreakerOpened' })]);
    expect(e.type === 'BreakerOpened' && e.data.trips).toBe(2);
    expect(e.type === 'BreakerOpened' && e.data.retryAt).toBe(at(2 * cfg.openBaseMs).toISOString());
    expect(openDurationMs(10, cfg)).toBe(cfg.openMaxMs);
  });

  it('a config failure (nothing was sent) does not count toward opening; half-open it re-opens', () => {
    given(...nearlyOpen)
      .when(fail(0, 'config'))
      .then([]);
    given(...nearlyOpen)
      .when(fail(0, 'transient'))
      .then([expect.objectContaining({ type: 'BreakerOpened' })]);
    given(...halfOpen)
      .when(fail(0, 'config'))
      .then([expect.objectContaining({ type: 'BreakerOpened' })]);
  });

  it('success on a closed breaker is no transition', () => {
    given(...nearlyOpen)
      .when(succeed(0))
      .then([]);
  });

  it('folds failed polls into the count and transitions into the state, as the target does', () => {
    expect(given(...nearlyOpen).state.failureCount).toBe(2);
    expect(given(...halfOpen).state).toMatchObject({ state: 'half_open', trips: 1, failureCount: 3 });
  });
});
