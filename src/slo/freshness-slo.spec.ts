import fc from 'fast-check';
import type { SuccessRun } from '../../projections/slo-freshness/freshness-rows';
import { addSuccess, utcDay } from '../../projections/slo-freshness/success-runs';
import type { FreshnessObjective } from '../polling/events/target-spec';
import { FreshnessHistory, freshnessReport, pausedSpans, staleSpans, windowFigures } from './freshness-slo';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const s = (seconds: number) => T0 + seconds * 1000;
const DAY = 86_400;
const points = (...seconds: number[]): SuccessRun[] => seconds.map((x) => [s(x), s(x)]);
const history = (successes: SuccessRun[], pauses: [number, number | null][] = [], registeredAt = 0): FreshnessHistory => ({
  registeredAt: s(registeredAt),
  successes,
  pauses: pauses.map(([a, b]) => [s(a), b === null ? null : s(b)]),
});
const objective = (maxAgeSeconds: number, o = 99, window: '7d' | '30d' = '7d'): FreshnessObjective => ({ objective: o, maxAgeSeconds, window });
/** Stale spans as [from, to] in seconds after T0. */
const staleSeconds = (h: FreshnessHistory, maxAge: number, at: number) =>
  staleSpans(h, maxAge * 1000, s(at)).map(([a, b]) => [(a - T0) / 1000, (b - T0) / 1000]);

describe('freshness objective: attainment from intervals (hand-computed histories)', () => {
  it('goes stale maxAge after the last success and stays stale until the next one', () => {
    // Successes at 0, 60, 120, then 600, 660; maxAge 120 s; at 900.
    // Stale from 120 + 120 = 240 to 600 (360 s), and from 660 + 120 = 780 to 900 (120 s): 480 s of 900.
    const h = history(points(0, 60, 120, 600, 660));
    expect(staleSeconds(h, 120, 900)).toEqual([
      [240, 600],
      [780, 900],
    ]);
    const r = freshnessReport(h, objective(120, 99), s(900), [300_000, 3_600_000]);
    expect(r.window).toEqual({ from: s(900) - 7 * DAY * 1000, measuredMs: 900_000, pausedMs: 0, staleMs: 480_000 });
    expect(r.attainment).toBeCloseTo(100 * (1 - 480 / 900), 10); // 46.666… %
    expect(r.budgetMs).toBeCloseTo(9_000, 6); // 1 % of 900 s
    expect(r.budgetUsedMs).toBe(480_000);
    // 5 m window [600, 900]: 120 s stale of 300 → 40 % / 1 % = 40; 1 h window: all 900 s measured, 480 stale → 53.33.
    expect(r.burnRates.get(300_000)).toBeCloseTo(40, 10);
    expect(r.burnRates.get(3_600_000)).toBeCloseTo(480 / 900 / 0.01, 10);
    expect(r.current).toEqual({ state: 'stale', lastSuccessAt: s(660), staleSince: s(780) });
  });

  it('counts a target that never succeeded as stale from maxAge after its registration', () => {
    const h = history([], [], 100);
    expect(staleSeconds(h, 120, 400)).toEqual([[220, 400]]);
    const r = freshnessReport(h, objective(120), s(400), []);
    expect(r.window.measuredMs).toBe(300_000); // from registration, not from the window's start
    expect(r.attainment).toBeCloseTo(100 * (1 - 180 / 300), 10);
    expect(r.current).toEqual({ state: 'stale', lastSuccessAt: null, staleSince: s(220) });
  });

  it('is fresh exactly at maxAge and at a success that lands on the instant asked about', () => {
    const h = history(points(0, 100));
    expect(freshnessReport(h, objective(120), s(220), []).current.state).toBe('fresh'); // age 120 = maxAge
    expect(freshnessReport(h, objective(120), s(221), []).current).toEqual({ state: 'stale', lastSuccessAt: s(100), staleSince: s(220) });
    const late = history(points(0, 500));
    expect(freshnessReport(late, objective(120), s(500), []).current).toEqual({ state: 'fresh', lastSuccessAt: s(500), staleSince: null });
    expect(staleSeconds(late, 120, 500)).toEqual([[120, 500]]);
  });

  it('leaves paused time out of the budget and starts the age over when the pause ends', () => {
    // Success at 0; paused [60, 1000); at 1200, maxAge 120: the age counts from 1000, so stale only [1120, 1200).
    const h = history(points(0), [[60, 1000]]);
    expect(staleSeconds(h, 120, 1200)).toEqual([[1120, 1200]]);
    const r = freshnessReport(h, objective(120), s(1200), [300_000]);
    expect(r.window).toMatchObject({ measuredMs: 260_000, pausedMs: 940_000, staleMs: 80_000 });
    expect(r.attainment).toBeCloseTo(100 * (1 - 80 / 260), 10);
    // 5 m window [900, 1200]: 100 s paused, 200 s measured, 80 s stale → 0.4 / 0.01.
    expect(r.burnRates.get(300_000)).toBeCloseTo(40, 10);
    // While the pause lasts the target is neither fresh nor stale.
    const open = history(points(0), [[60, null]]);
    const during = freshnessReport(open, objective(120), s(500), [300_000]);
    expect(during.current).toEqual({ state: 'paused', lastSuccessAt: s(0), staleSince: null });
    expect(during.window).toMatchObject({ measuredMs: 60_000, pausedMs: 440_000, staleMs: 0 });
    expect(during.burnRates.get(300_000)).toBe(0); // no measured time in the window: nothing burns
  });

  it('cuts a stale stretch at a pause, and merges overlapping pauses (the target’s and the scheduler’s)', () => {
    // Success at 0, maxAge 120: stale from 120 until the pause at 300; pauses [300, 500) and [400, 700) are one [300, 700).
    const h = history(points(0), [
      [300, 500],
      [400, 700],
    ]);
    expect(pausedSpans(h, s(1000)).map(([a, b]) => [(a - T0) / 1000, (b - T0) / 1000])).toEqual([[300, 700]]);
    expect(staleSeconds(h, 120, 1000)).toEqual([
      [120, 300],
      [820, 1000],
    ]);
    expect(windowFigures(h, staleSpans(h, 120_000, s(1000)), pausedSpans(h, s(1000)), s(1000), 7 * DAY * 1000)).toMatchObject({
      measuredMs: 600_000,
      pausedMs: 400_000,
      staleMs: 360_000,
    });
  });

  it('judges only the rolling window: 7 d and 30 d over a long outage', () => {
    // Registered 10 days before `at`; fresh for its first 2 days, silent from day 2 to day 9, fresh again for the last day. maxAge 300 s.
    const at = 10 * DAY;
    const h = history(
      [
        [s(0), s(2 * DAY)],
        [s(9 * DAY), s(10 * DAY)],
      ],
      [],
      0,
    );
    expect(staleSeconds(h, 300, at)).toEqual([[2 * DAY + 300, 9 * DAY]]);
    // 7 d window [3 d, 10 d]: stale [3 d, 9 d) = 6 days of 7.
    const week = freshnessReport(h, objective(300, 99.5, '7d'), s(at), []);
    expect(week.window).toMatchObject({ measuredMs: 7 * DAY * 1000, staleMs: 6 * DAY * 1000 });
    expect(week.attainment).toBeCloseTo(100 / 7, 10);
    expect(week.budgetMs).toBeCloseTo(0.005 * 7 * DAY * 1000, 6);
    // 30 d window: measured from registration (10 days), stale 7 days less 300 s.
    const month = freshnessReport(h, objective(300, 99.5, '30d'), s(at), []);
    expect(month.window).toMatchObject({ measuredMs: 10 * DAY * 1000, staleMs: (7 * DAY - 300) * 1000 });
  });

  it('ignores what happened after the instant asked about (a `?at=` fold may hold later successes)', () => {
    const h = history(points(0, 60, 600, 660));
    const before = freshnessReport(history(points(0, 60)), objective(120), s(400), [300_000]);
    expect(freshnessReport(h, objective(120), s(400), [300_000])).toEqual(before);
    expect(before.current).toEqual({ state: 'stale', lastSuccessAt: s(60), staleSince: s(180) });
  });

  it('gives the same answer from runs of merged successes (the read model) as from every single success, for any maxAge of at least 60 s', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(fc.integer({ min: 0, max: 3 * DAY }), { maxLength: 200 }), fc.array(fc.integer({ min: 0, max: 4 * 3600 }), { maxLength: 200 })),
        fc.integer({ min: 60, max: DAY }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 1, max: DAY })), { maxLength: 3 }),
        fc.oneof(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 4 * 3600 })),
        (times, maxAge, pauses, at) => {
          const sorted = [...times].sort((a, b) => a - b);
          // The projection's way: per UTC day, each success added to that day's runs.
          const byDay = new Map<string, SuccessRun[]>();
          for (const t of sorted) byDay.set(utcDay(s(t)), addSuccess(byDay.get(utcDay(s(t))) ?? [], s(t)));
          const spans = pauses.map(([a, len]): [number, number] => [a, a + len]);
          const raw = freshnessReport(history(points(...sorted), spans), objective(maxAge), s(at), [300_000, 3_600_000]);
          const runs = freshnessReport(history([...byDay.values()].flat(), spans), objective(maxAge), s(at), [300_000, 3_600_000]);
          // Inside a run the last success before `at` is known only to be at most 60 s before it (read as `at`): never stale either way.
          const inRun = [...byDay.values()].flat().some(([a, b]) => a <= s(at) && s(at) < b);
          if (inRun) expect(raw.current.lastSuccessAt).toBeGreaterThanOrEqual(s(at) - 60_000);
          const blur = (r: typeof raw) => (inRun ? { ...r, current: { ...r.current, lastSuccessAt: null } } : r);
          expect(blur(runs)).toEqual(blur(raw));
        },
      ),
      { numRuns: 300 },
    );
  });
});
