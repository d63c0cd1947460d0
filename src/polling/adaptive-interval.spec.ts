import { chooseInterval, stalenessScore } from './adaptive-interval';

const now = new Date('2025-10-20T13:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const base = {
  now,
  baseMs: 10_000,
  minMs: 5_000,
  maxMs: 300_000,
  adaptive: true,
  factor: 1,
  recentErrors: 0,
  previousMs: null as number | null,
  lastSuccess: ago(0),
  random: () => 0.5,
};

describe('adaptive interval', () => {
  it('staleness is 1 when never succeeded and clamps to [0, 1]', () => {
    expect(stalenessScore(now, null, 300_000)).toBe(1);
    expect(stalenessScore(now, ago(150_000), 300_000)).toBe(0.5);
    expect(stalenessScore(now, ago(10_000_000), 300_000)).toBe(1);
  });

  it('applies the formula: raw, smoothing with the previous, no jitter at random 0.5', () => {
    const d = chooseInterval({ ...base, lastSuccess: ago(150_000), previousMs: 10_000 });
    const raw = 5_000 + 295_000 * 0.5;
    expect(d.rawMs).toBe(Math.round(raw));
    expect(d.smoothedMs).toBe(Math.round(0.6 * raw + 0.4 * 10_000));
    expect(d.jitter).toBe(1);
    expect(d.chosenMs).toBe(d.smoothedMs);
  });

  it('recent errors shorten the interval; the result stays within [min, max]', () => {
    const calm = chooseInterval({ ...base, lastSuccess: null, previousMs: 5_000 });
    const failing = chooseInterval({ ...base, lastSuccess: null, previousMs: 5_000, recentErrors: 4 });
    expect(failing.rawMs).toBeLessThan(calm.rawMs);
    expect(failing.chosenMs).toBe(5_000);
    const fresh = chooseInterval({ ...base, previousMs: 300_000, random: () => 0.999 });
    expect(fresh.chosenMs).toBe(300_000);
  });

  it('jitter is ±5 % from the injected random', () => {
    const lo = chooseInterval({ ...base, lastSuccess: ago(150_000), previousMs: 100_000, random: () => 0 });
    const hi = chooseInterval({ ...base, lastSuccess: ago(150_000), previousMs: 100_000, random: () => 0.99999 });
    expect(lo.jitter).toBeCloseTo(0.95, 3);
    expect(hi.jitter).toBeCloseTo(1.05, 3);
    expect(lo.chosenMs).toBeLessThan(hi.chosenMs);
  });

  it('fixed mode uses the base times the quiet-hours factor', () => {
    const d = chooseInterval({ ...base, adaptive: false, factor: 3 });
    expect(d.mode).toBe('fixed');
    expect(d.chosenMs).toBe(30_000);
  });

  it('fixed mode never goes below the minimum, also for a target registered before that was refused', () => {
    const d = chooseInterval({ ...base, adaptive: false, baseMs: 10, minMs: 5000, factor: 1 });
    expect(d).toMatchObject({ mode: 'fixed', rawMs: 10, chosenMs: 5000 });
  });
});
