import { metricsView, successBand, TerminalRun } from './metrics.view';
import { percentile } from './percentile';

const now = new Date('2025-03-02T12:00:00Z');
const H = 3_600_000;
const run = (job: string, state: 'succeeded' | 'failed', durationMs: number, hoursAgo: number): TerminalRun => ({
  job,
  state,
  durationMs,
  finishedAt: new Date(now.getTime() - hoursAgo * H).toISOString(),
});

describe('metricsView', () => {
  it('nearest-rank percentiles', () => {
    const d = Array.from({ length: 20 }, (_, i) => (i + 1) * 100); // 100..2000
    expect(percentile(d, 50)).toBe(1000);
    expect(percentile(d, 95)).toBe(1900);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('given known durations, computes runs, failures, rate, band, p50/p95/max over the window only', () => {
    const durations = [5, 1, 4, 2, 3, 9, 8, 7, 6, 10]; // 1..10 s shuffled
    const runs = [
      ...durations.map((s, i) => run('report', i === 0 ? 'failed' : 'succeeded', s * 1000, i + 1)),
      run('report', 'succeeded', 999_000, 25), // outside 24 h: ignored
      ...Array.from({ length: 100 }, (_, i) => run('sync', 'succeeded', 100 + i, 0.5)),
    ];
    const v = metricsView(runs, now, 24 * H);
    expect(v.window).toBe('24h');
    expect(v.jobs).toEqual([
      {
        job: 'report',
        runs: 10,
        failures: 1,
        successRate: 90,
        band: 'neutral',
        p50Ms: 5000,
        p95Ms: 10_000,
        maxMs: 10_000,
        lastRunAt: '2025-03-02T11:00:00Z',
        lastRunAgeSeconds: 3600,
      },
      {
        job: 'sync',
        runs: 100,
        failures: 0,
        successRate: 100,
        band: 'green',
        p50Ms: 149,
        p95Ms: 194,
        maxMs: 199,
        lastRunAt: '2025-03-02T11:30:00Z',
        lastRunAgeSeconds: 1800,
      },
    ]);
  });

  it('bands: green ≥ 99, neutral ≥ 90, red below', () => {
    expect([successBand(99), successBand(98.9), successBand(90), successBand(89.9)]).toEqual(['green', 'neutral', 'neutral', 'red']);
  });
});
