import fc from 'fast-check';
import type {
  FreshnessRow,
  FreshnessTargetRow,
  MaintenanceSpansRow,
  SchedulerPausesRow,
  SuccessRun,
  SuccessRunsRow,
  TenantPausesRow,
} from '../../projections/slo-freshness/freshness-rows';
import { freshnessTargetKey, SCHEDULER_KEY, sloFreshnessProjection } from '../../projections/slo-freshness/slo-freshness.projection';
import { addSuccess, utcDay } from '../../projections/slo-freshness/success-runs';
import { foldInMemory } from '../../projections/projection';
import type { DomainEvent, RecordedEvent } from '../event-store/envelope';
import { MaintenanceCommand, maintenanceDecider } from '../maintenance/maintenance.decider';
import type { MaintenanceEvent } from '../maintenance/maintenance.events';
import { initialMaintenanceState, MaintenanceState } from '../maintenance/maintenance.state';
import type { FreshnessObjective } from '../polling/events/target-spec';
import { isRejection } from '../shared/decider';
import { excludedSpans, FreshnessHistory, FreshnessReport, freshnessReport, pausedSpans, staleSpans, windowFigures } from './freshness-slo';
import { freshnessHistory, targetHistories } from './target-history';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const s = (seconds: number) => T0 + seconds * 1000;
const DAY = 86_400;
const points = (...seconds: number[]): SuccessRun[] => seconds.map((x) => [s(x), s(x)]);
const history = (successes: SuccessRun[], pauses: [number, number | null][] = [], registeredAt = 0): FreshnessHistory => ({
  registeredAt: s(registeredAt),
  successes,
  pauses: pauses.map(([a, b]) => [s(a), b === null ? null : s(b)]),
  maintenance: [],
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
    expect(r.window).toEqual({ from: s(900) - 7 * DAY * 1000, measuredMs: 900_000, pausedMs: 0, maintenanceMs: 0, staleMs: 480_000 });
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
    const spans = { stale: staleSpans(h, 120_000, s(1000)), paused: pausedSpans(h, s(1000)), excluded: excludedSpans(h, s(1000)) };
    expect(windowFigures(h, spans, s(1000), 7 * DAY * 1000)).toMatchObject({
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

/**
 * A scripted log: target events and maintenance commands at instants in seconds after T0, the
 * maintenance events decided by the real decider (so a window opens and closes by the clock and the
 * loop records it later, as in production), folded by the real slo_freshness projection.
 */
class ScriptedLog {
  private readonly entries: { at: number; event: RecordedEvent }[] = [];
  private readonly windows = new Map<string, MaintenanceState>();

  private append(at: number, streamId: string, e: DomainEvent): void {
    const n = this.entries.length + 1;
    const event: RecordedEvent = {
      ...e,
      eventId: `e${n}`,
      streamId,
      revision: 0n,
      position: BigInt(n),
      schemaVersion: 1,
      metadata: { occurredAt: new Date(s(at)).toISOString() },
      recordedAt: new Date(s(at)),
      checkpoint: String(n),
    };
    this.entries.push({ at, event });
  }

  private target(key: string, at: number, type: string, data: Record<string, unknown> = {}): this {
    this.append(at, `target-${key}`, { type, data: { key, at: new Date(s(at)).toISOString(), ...data } });
    return this;
  }

  register(key: string, tenant: string | null): this {
    const [type, name] = key.split('::');
    return this.target(key, 0, 'TargetRegistered', {
      spec: { type, name, ...(tenant ? { tenant } : {}), probe: { kind: 'http', url: 'http://x/' } },
      source: 'api',
    });
  }

  /** Successful polls every 60 s from `from` to `to`. */
  succeed(key: string, from: number, to: number): this {
    for (let t = from; t <= to; t += 60) this.target(key, t, 'PollSucceeded');
    return this;
  }

  pause(key: string, at: number): this {
    return this.target(key, at, 'TargetPaused');
  }

  resume(key: string, at: number): this {
    return this.target(key, at, 'TargetResumed', { nextPollAt: new Date(s(at)).toISOString() });
  }

  /** A maintenance command at `at` (an operator's schedule or end, or the window loop's observe): the types of the events it appended. */
  maintain(tenant: string, at: number, what: 'end' | 'observe' | { startsAt: number | null; endsAt: number | null }): string[] {
    const now = new Date(s(at));
    const iso = (x: number | null) => (x === null ? null : new Date(s(x)).toISOString());
    const cmd: MaintenanceCommand =
      what === 'observe'
        ? { kind: 'observe', tenant, now }
        : what === 'end'
          ? { kind: 'end', tenant, reason: 'r', actor: 'alice', now }
          : {
              kind: 'schedule',
              tenant,
              reason: 'r',
              actor: 'alice',
              now,
              mode: 'read_only',
              banner: 'b',
              startsAt: iso(what.startsAt),
              endsAt: iso(what.endsAt),
            };
    const state = this.windows.get(tenant) ?? initialMaintenanceState;
    const decision = maintenanceDecider.decide(cmd, state);
    if (isRejection(decision)) throw new Error(decision.reason);
    this.windows.set(tenant, decision.reduce(maintenanceDecider.evolve, state));
    decision.forEach((e: MaintenanceEvent) => this.append(at, `maintenance-${tenant}`, e));
    return decision.map((e) => e.type);
  }

  private fold(key: string, at: number, upTo: number): FreshnessReport {
    const rows = foldInMemory<FreshnessRow>(
      sloFreshnessProjection,
      this.entries.filter((x) => x.at <= upTo).map((x) => x.event),
    );
    const all = [...rows.values()];
    const [h] = targetHistories(
      [rows.get(freshnessTargetKey(key)) as FreshnessTargetRow],
      all.filter((r): r is SuccessRunsRow => r.kind === 'runs'),
      (rows.get(SCHEDULER_KEY) as SchedulerPausesRow | undefined) ?? null,
      all.filter((r): r is MaintenanceSpansRow => r.kind === 'maintenance'),
      all.filter((r): r is TenantPausesRow => r.kind === 'tenant-pauses'),
    );
    return freshnessReport(freshnessHistory(h), MAINT_OBJECTIVE, s(at), [300_000, 3_600_000]);
  }

  /**
   * The report of `key` at `at` from the log as it stood then (what `?at=` folds), checked to be
   * the one the whole log so far gives for that instant (a later fact never rewrites an earlier
   * instant) — but for `lastSuccessAt` inside a run whose later successes are folded too, which
   * reads as the instant asked about (ADR 0014, consequences).
   */
  report(key: string, at: number): FreshnessReport {
    const then = this.fold(key, at, at);
    const blur = (r: FreshnessReport) => ({ ...r, current: { ...r.current, lastSuccessAt: null } });
    expect(blur(this.fold(key, at, Infinity))).toEqual(blur(then));
    return then;
  }
}

const MAINT_OBJECTIVE = objective(120, 99, '7d');
const WEB = 'svc::web';
/** svc::web of tenant acme: polled fine every 60 s up to T0+600, then held by maintenance or down: no success after 600 unless a test says so. */
const acmeLog = () => new ScriptedLog().register(WEB, 'acme').succeed(WEB, 0, 600);
const figures = (r: FreshnessReport) => ({
  measured: r.window.measuredMs / 1000,
  paused: r.window.pausedMs / 1000,
  maintenance: r.window.maintenanceMs / 1000,
  stale: r.window.staleMs / 1000,
});

describe('freshness objective: a tenant’s maintenance windows are excluded (scripted logs, hand-computed)', () => {
  // Without any exclusion svc::web is stale from 600 + 120 = 720 on.
  it('a window with endsAt: excluded from its startsAt to its endsAt by the clock, before the loop records either; the age starts over at its end', () => {
    const log = acmeLog();
    expect(log.maintain('acme', 300, { startsAt: 660, endsAt: 1800 })).toEqual(['MaintenanceScheduled']);
    // At 1200: [660, 1200) in maintenance (540 s), nothing stale (the window began before 720).
    const during = log.report(WEB, 1200);
    expect(figures(during)).toEqual({ measured: 660, paused: 0, maintenance: 540, stale: 0 });
    expect(during.attainment).toBe(100);
    expect(during.current).toEqual({ state: 'maintenance', lastSuccessAt: s(600), staleSince: null });
    expect(during.burnRates.get(300_000)).toBe(0); // the last 5 min all maintenance: nothing measured, nothing burns
    // At 2100, the window closed at 1800 (not recorded yet): the age counts from 1800, stale from 1920: 180 s of 960 measured.
    const after = log.report(WEB, 2100);
    expect(figures(after)).toEqual({ measured: 960, paused: 0, maintenance: 1140, stale: 180 });
    expect(after.attainment).toBeCloseTo(81.25, 10);
    expect(after.current).toEqual({ state: 'stale', lastSuccessAt: s(600), staleSince: s(1920) });
    expect(after.burnRates.get(300_000)).toBeCloseTo(180 / 300 / 0.01, 10); // [1800, 2100]: 60
    expect(after.burnRates.get(3_600_000)).toBeCloseTo(180 / 960 / 0.01, 10); // 18.75
    // The loop records the opening and the closing late: the figures do not move.
    expect(log.maintain('acme', 2130, 'observe')).toEqual(['MaintenanceStarted', 'MaintenanceEnded']);
    expect(log.report(WEB, 2100)).toEqual(after);
  });

  it('a window ended early: excluded up to the end, and `?at=` before the end sees the window as it stood', () => {
    const log = acmeLog();
    log.maintain('acme', 300, { startsAt: 660, endsAt: 1800 });
    const before = log.report(WEB, 1000);
    expect(figures(before)).toEqual({ measured: 660, paused: 0, maintenance: 340, stale: 0 });
    expect(log.maintain('acme', 1200, 'end')).toEqual(['MaintenanceStarted', 'MaintenanceEnded']);
    expect(log.report(WEB, 1000)).toEqual(before);
    // Excluded [660, 1200); the age counts from 1200, stale from 1320: 80 s of 860.
    const r = log.report(WEB, 1400);
    expect(figures(r)).toEqual({ measured: 860, paused: 0, maintenance: 540, stale: 80 });
    expect(r.attainment).toBeCloseTo(100 * (1 - 80 / 860), 10);
    expect(r.current).toEqual({ state: 'stale', lastSuccessAt: s(600), staleSince: s(1320) });
  });

  it('a window called off before it opened excludes nothing', () => {
    const log = acmeLog();
    log.maintain('acme', 300, { startsAt: 660, endsAt: 1800 });
    expect(figures(log.report(WEB, 400))).toEqual({ measured: 400, paused: 0, maintenance: 0, stale: 0 });
    expect(log.maintain('acme', 500, 'end')).toEqual(['MaintenanceCancelled']);
    const r = log.report(WEB, 1200);
    expect(figures(r)).toEqual({ measured: 1200, paused: 0, maintenance: 0, stale: 480 });
    expect(r.current).toEqual({ state: 'stale', lastSuccessAt: s(600), staleSince: s(720) });
  });

  it('a rescheduled window: before it opened only the new one counts; while open the part already past stays excluded', () => {
    // Moved before it opened: [660, 1800) → [900, 1500). Stale [720, 900) and [1620, 1800): 360 s of 1200.
    const moved = acmeLog();
    moved.maintain('acme', 300, { startsAt: 660, endsAt: 1800 });
    expect(moved.maintain('acme', 500, { startsAt: 900, endsAt: 1500 })).toEqual(['MaintenanceScheduled']);
    const r1 = moved.report(WEB, 1800);
    expect(figures(r1)).toEqual({ measured: 1200, paused: 0, maintenance: 600, stale: 360 });
    expect(r1.attainment).toBeCloseTo(70, 10);

    // Open since 660, moved at 1000 to [1500, 1800): excluded [660, 1000) and [1500, 1800) = 640 s; stale [1120, 1500) and [1920, 2000) = 460 s.
    const later = acmeLog();
    later.maintain('acme', 300, { startsAt: 660, endsAt: 1800 });
    expect(later.maintain('acme', 1000, { startsAt: 1500, endsAt: 1800 })).toEqual(['MaintenanceStarted', 'MaintenanceEnded', 'MaintenanceScheduled']);
    expect(figures(later.report(WEB, 2000))).toEqual({ measured: 1360, paused: 0, maintenance: 640, stale: 460 });

    // Open since 660 until 1200, replaced at 1000 by one from now until 1800: one span [660, 1800); stale [1920, 2000).
    const extended = acmeLog();
    extended.maintain('acme', 300, { startsAt: 660, endsAt: 1200 });
    expect(extended.maintain('acme', 1000, { startsAt: null, endsAt: 1800 })).toEqual(['MaintenanceStarted', 'MaintenanceScheduled']);
    expect(figures(extended.report(WEB, 2000))).toEqual({ measured: 860, paused: 0, maintenance: 1140, stale: 80 });
  });

  it('a window overlapping a pause of the target counts each instant once (as paused), and the age starts over at the later end', () => {
    const log = acmeLog();
    log.maintain('acme', 300, { startsAt: 660, endsAt: 1800 });
    log.pause(WEB, 1500);
    expect(log.report(WEB, 1200).current.state).toBe('maintenance');
    const both = log.report(WEB, 1600);
    expect(both.current.state).toBe('paused');
    expect(figures(both)).toEqual({ measured: 660, paused: 100, maintenance: 840, stale: 0 });
    log.resume(WEB, 2100);
    // Paused [1500, 2100), maintenance [660, 1800) of which [660, 1500) not paused; stale [2220, 2400). 960 + 600 + 840 = 2400.
    expect(figures(log.report(WEB, 2400))).toEqual({ measured: 960, paused: 600, maintenance: 840, stale: 180 });
  });

  it('another tenant’s window does not touch this target (nor one of no tenant)', () => {
    const log = acmeLog().register('svc::other', 'globex').succeed('svc::other', 0, 600).register('svc::shared', null).succeed('svc::shared', 0, 600);
    log.maintain('globex', 300, { startsAt: 660, endsAt: 1800 });
    const mine = log.report(WEB, 1200);
    expect(figures(mine)).toEqual({ measured: 1200, paused: 0, maintenance: 0, stale: 480 });
    expect(mine.current.state).toBe('stale');
    expect(figures(log.report('svc::shared', 1200))).toEqual({ measured: 1200, paused: 0, maintenance: 0, stale: 480 });
    expect(figures(log.report('svc::other', 1200))).toEqual({ measured: 660, paused: 0, maintenance: 540, stale: 0 });
  });
});
