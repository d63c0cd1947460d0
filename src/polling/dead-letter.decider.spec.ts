import { spec } from '../../test/support/given';
import { DeadLetterCommand, deadLetterDecider, retryDelayMs } from './dead-letter.decider';
import type { TargetEvent } from './events/target.events';

const cfg = { streak: 3, retryScheduleMs: [300_000, 900_000, 3_600_000] };
const t0 = new Date('2025-10-20T13:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const key = 'k';
const { given } = spec(deadLetterDecider);

const fail = (n: number, category: 'transient' | 'permanent' | 'config' = 'transient', when = at(0)): DeadLetterCommand => ({
  type: 'RecordOutcome',
  key,
  config: cfg,
  ok: false,
  category,
  attemptAt: when,
  at: when,
  consecutiveFailures: n,
  firstFailureAt: t0.toISOString(),
});
const succeed: DeadLetterCommand = {
  type: 'RecordOutcome',
  key,
  config: cfg,
  ok: true,
  attemptAt: at(1),
  at: at(1),
  consecutiveFailures: 0,
  firstFailureAt: null,
};
const deadLettered = (reason: 'permanent_failure' | 'max_retry_attempts', retryCount: number): TargetEvent => ({
  type: 'TargetDeadLettered',
  data: {
    key,
    at: t0.toISOString(),
    reason,
    firstAttempt: t0.toISOString(),
    lastAttempt: t0.toISOString(),
    retryCount,
    nextRetry: at(cfg.retryScheduleMs[0]).toISOString(),
  },
});

describe('dead-letter decider', () => {
  it('dead-letters a permanent failure at once', () => {
    given()
      .when(fail(1, 'permanent'))
      .then([
        {
          type: 'TargetDeadLettered',
          data: {
            key,
            at: t0.toISOString(),
            reason: 'permanent_failure',
            firstAttempt: t0.toISOString(),
            lastAttempt: t0.toISOString(),
            retryCount: 0,
            nextRetry: at(cfg.retryScheduleMs[0]).toISOString(),
          },
        },
      ]);
  });

  it('dead-letters a config failure (refused by the egress policy) at once, as config_error', () => {
    const [e] = given()
      .when(fail(1, 'config'))
      .then([expect.objectContaining({ type: 'TargetDeadLettered' })]);
    expect(e).toMatchObject({
      type: 'TargetDeadLettered',
      data: { reason: 'config_error', retryCount: 0, nextRetry: at(cfg.retryScheduleMs[0]).toISOString() },
    });
  });

  it('dead-letters a transient streak only when it reaches N', () => {
    given()
      .when(fail(cfg.streak - 1))
      .then([]);
    const [e] = given()
      .when(fail(cfg.streak))
      .then([expect.objectContaining({ type: 'TargetDeadLettered' })]);
    expect(e.data).toMatchObject({ reason: 'max_retry_attempts', retryCount: 0 });
  });

  it('follows the retry schedule, repeating the last delay', () => {
    const history: TargetEvent[] = [deadLettered('max_retry_attempts', 0)];
    const delays: number[] = [];
    for (let i = 0; i < cfg.retryScheduleMs.length + 2; i++) {
      const now = Date.parse(given(...history).state!.nextRetry);
      const [e] = given(...history)
        .when(fail(cfg.streak + i + 1, 'transient', new Date(now)))
        .then([expect.objectContaining({ type: 'DeadLetterRetryFailed' })]);
      if (e.type !== 'DeadLetterRetryFailed') throw new Error('expected a failed retry');
      delays.push(Date.parse(e.data.nextRetry) - now);
      history.push(e);
    }
    const last = cfg.retryScheduleMs[cfg.retryScheduleMs.length - 1];
    expect(delays).toEqual([...cfg.retryScheduleMs.slice(1), last, last, last]);
    expect(given(...history).state!.retryCount).toBe(cfg.retryScheduleMs.length + 2);
    expect(retryDelayMs(99, cfg)).toBe(last);
  });

  it('a success takes a dead-lettered target out; a success outside it is nothing', () => {
    given(deadLettered('permanent_failure', 2))
      .when(succeed)
      .then([{ type: 'TargetRecovered', data: { key, at: at(1).toISOString(), reason: 'permanent_failure', retryCount: 2 } }]);
    given().when(succeed).then([]);
  });

  it('a redrive or a recovery clears the entry', () => {
    expect(
      given(deadLettered('permanent_failure', 0), {
        type: 'TargetRedriven',
        data: { key, at: at(1).toISOString(), previousReason: 'permanent_failure', retryCount: 0 },
      }).state,
    ).toBeNull();
    expect(
      given(deadLettered('permanent_failure', 0), {
        type: 'TargetRecovered',
        data: { key, at: at(1).toISOString(), reason: 'permanent_failure', retryCount: 0 },
      }).state,
    ).toBeNull();
  });
});
