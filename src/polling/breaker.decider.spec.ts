import { closedBreaker, BreakerSnapshot } from './target.state';
import { breakerAdmits, decideBreaker, openDurationMs } from './breaker.decider';
import type { BreakerEvent } from './events/breaker.events';

const cfg = { failureThreshold: 3, openBaseMs: 1000, openMaxMs: 5000 };
const t0 = new Date('2025-10-20T13:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

/** given: a breaker folded from its transitions; when: a command; then: the events. */
function given(...events: BreakerEvent[]): BreakerSnapshot {
  return events.reduce<BreakerSnapshot>((b, e) => ({ ...b, ...e.data, state: e.type === 'BreakerOpened' ? 'open' : e.type === 'BreakerHalfOpened' ? 'half_open' : 'closed' }), closedBreaker(t0.toISOString()));
}

describe('breaker decider', () => {
  it('stays closed below the threshold', () => {
    expect(decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0) }, { ...given(), failureCount: 1 }, 'k', cfg)).toEqual([]);
  });

  it('opens on the Nth consecutive failure with retryAt = base', () => {
    const events = decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0) }, { ...given(), failureCount: cfg.failureThreshold - 1 }, 'k', cfg);
    expect(events).toEqual([{ type: 'BreakerOpened', data: { key: 'k', since: at(0).toISOString(), lastTransition: at(0).toISOString(), retryAt: at(cfg.openBaseMs).toISOString(), failureCount: cfg.failureThreshold, trips: 1 } }]);
  });

  it('does not admit before retryAt, half-opens after it', () => {
    const open = given(...decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0) }, { ...given(), failureCount: 2 }, 'k', cfg));
    expect(breakerAdmits(open, at(cfg.openBaseMs - 1))).toBe(false);
    expect(decideBreaker({ type: 'AdmitProbe', at: at(cfg.openBaseMs - 1) }, open, 'k', cfg)).toEqual([]);
    const half = decideBreaker({ type: 'AdmitProbe', at: at(cfg.openBaseMs) }, open, 'k', cfg);
    expect(half.map((e) => e.type)).toEqual(['BreakerHalfOpened']);
    expect(half[0].data.since).toBe(at(cfg.openBaseMs).toISOString());
  });

  it('a forced probe half-opens before retryAt', () => {
    const open = given(...decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0) }, { ...given(), failureCount: 2 }, 'k', cfg));
    expect(decideBreaker({ type: 'AdmitProbe', at: at(1), force: true }, open, 'k', cfg).map((e) => e.type)).toEqual(['BreakerHalfOpened']);
  });

  it('half_open → closed and reset on success', () => {
    const half = { ...given(), state: 'half_open' as const, failureCount: 3, trips: 2 };
    expect(decideBreaker({ type: 'RecordOutcome', ok: true, at: at(5) }, half, 'k', cfg)).toEqual([
      { type: 'BreakerClosed', data: { key: 'k', since: at(5).toISOString(), lastTransition: at(5).toISOString(), retryAt: null, failureCount: 0, trips: 0 } },
    ]);
  });

  it('half_open → open again on failure with a doubled open time, capped', () => {
    const half = { ...given(), state: 'half_open' as const, failureCount: 3, trips: 1 };
    const [e] = decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0) }, half, 'k', cfg);
    expect(e.type).toBe('BreakerOpened');
    expect(e.data.trips).toBe(2);
    expect(e.data.retryAt).toBe(at(2 * cfg.openBaseMs).toISOString());
    expect(openDurationMs(10, cfg)).toBe(cfg.openMaxMs);
  });

  it('a config failure (nothing was sent) does not count toward opening; half-open it re-opens', () => {
    const nearly = { ...given(), failureCount: cfg.failureThreshold - 1 };
    expect(decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0), category: 'config' }, nearly, 'k', cfg)).toEqual([]);
    expect(decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0), category: 'transient' }, nearly, 'k', cfg).map((e) => e.type)).toEqual(['BreakerOpened']);
    const half = { ...given(), state: 'half_open' as const, failureCount: 3, trips: 1 };
    expect(decideBreaker({ type: 'RecordOutcome', ok: false, at: at(0), category: 'config' }, half, 'k', cfg).map((e) => e.type)).toEqual(['BreakerOpened']);
  });

  it('success on a closed breaker is no transition', () => {
    expect(decideBreaker({ type: 'RecordOutcome', ok: true, at: at(0) }, { ...given(), failureCount: 2 }, 'k', cfg)).toEqual([]);
  });
});
