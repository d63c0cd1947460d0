import { DeadLetterSnapshot } from './target.state';
import { decideDeadLetter, retryDelayMs } from './dead-letter.decider';

const cfg = { streak: 3, retryScheduleMs: [300_000, 900_000, 3_600_000] };
const t0 = new Date('2025-10-20T13:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const fail = (n: number, category: 'transient' | 'permanent' | 'config' = 'transient', when = at(0)) =>
  ({ type: 'RecordOutcome', ok: false, category, attemptAt: when, at: when, consecutiveFailures: n, firstFailureAt: t0.toISOString() }) as const;

describe('dead-letter decider', () => {
  it('dead-letters a permanent failure at once', () => {
    expect(decideDeadLetter(fail(1, 'permanent'), null, 'k', cfg)).toEqual([
      { type: 'TargetDeadLettered', data: { key: 'k', at: t0.toISOString(), reason: 'permanent_failure', firstAttempt: t0.toISOString(), lastAttempt: t0.toISOString(), retryCount: 0, nextRetry: at(cfg.retryScheduleMs[0]).toISOString() } },
    ]);
  });

  it('dead-letters a config failure (refused by the egress policy) at once, as config_error', () => {
    const [e] = decideDeadLetter(fail(1, 'config'), null, 'k', cfg);
    expect(e).toMatchObject({ type: 'TargetDeadLettered', data: { reason: 'config_error', retryCount: 0, nextRetry: at(cfg.retryScheduleMs[0]).toISOString() } });
  });

  it('dead-letters a transient streak only when it reaches N', () => {
    expect(decideDeadLetter(fail(cfg.streak - 1), null, 'k', cfg)).toEqual([]);
    const [e] = decideDeadLetter(fail(cfg.streak), null, 'k', cfg);
    expect(e.type).toBe('TargetDeadLettered');
    expect(e.data).toMatchObject({ reason: 'max_retry_attempts', retryCount: 0 });
  });

  it('follows the retry schedule, repeating the last delay', () => {
    let dl: DeadLetterSnapshot = { reason: 'max_retry_attempts', firstAttempt: t0.toISOString(), lastAttempt: t0.toISOString(), retryCount: 0, nextRetry: at(cfg.retryScheduleMs[0]).toISOString() };
    const delays: number[] = [];
    for (let i = 0; i < cfg.retryScheduleMs.length + 2; i++) {
      const now = Date.parse(dl.nextRetry);
      const [e] = decideDeadLetter(fail(cfg.streak + i + 1, 'transient', new Date(now)), dl, 'k', cfg);
      expect(e.type).toBe('DeadLetterRetryFailed');
      if (e.type !== 'DeadLetterRetryFailed') throw new Error('expected a failed retry');
      delays.push(Date.parse(e.data.nextRetry) - now);
      dl = { ...dl, ...e.data };
    }
    const last = cfg.retryScheduleMs[cfg.retryScheduleMs.length - 1];
    expect(delays).toEqual([...cfg.retryScheduleMs.slice(1), last, last, last]);
    expect(dl.retryCount).toBe(cfg.retryScheduleMs.length + 2);
    expect(retryDelayMs(99, cfg)).toBe(last);
  });

  it('a success takes a dead-lettered target out; a success outside it is nothing', () => {
    const dl: DeadLetterSnapshot = { reason: 'permanent_failure', firstAttempt: t0.toISOString(), lastAttempt: t0.toISOString(), retryCount: 2, nextRetry: t0.toISOString() };
    const ok = { type: 'RecordOutcome', ok: true, attemptAt: at(1), at: at(1), consecutiveFailures: 0, firstFailureAt: null } as const;
    expect(decideDeadLetter(ok, dl, 'k', cfg)).toEqual([{ type: 'TargetRecovered', data: { key: 'k', at: at(1).toISOString(), reason: 'permanent_failure', retryCount: 2 } }]);
    expect(decideDeadLetter(ok, null, 'k', cfg)).toEqual([]);
  });
});
