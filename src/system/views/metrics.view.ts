import { rfc3339 } from '../../shared/clock';
import { percentile } from './percentile';

export interface TerminalRun {
  readonly job: string;
  readonly state: 'succeeded' | 'failed';
  readonly durationMs: number | null;
  readonly finishedAt: string;
}

export type SuccessBand = 'green' | 'neutral' | 'red';
/** Success-rate colours: green at 99 %+, neutral at 90 %+, red below. */
export const successBand = (rate: number): SuccessBand => (rate >= 99 ? 'green' : rate >= 90 ? 'neutral' : 'red');

export interface JobMetrics {
  readonly job: string;
  readonly runs: number;
  readonly failures: number;
  readonly successRate: number;
  readonly band: SuccessBand;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly maxMs: number | null;
  readonly lastRunAt: string | null;
  readonly lastRunAgeSeconds: number | null;
}

/**
 * Per-job metrics over terminal runs (succeeded or failed) that finished within `windowMs` before
 * `now`. Pure, so a later `?at=` can call it on runs folded from the log up to that instant.
 */
export function metricsView(runs: readonly TerminalRun[], now: Date, windowMs: number): { window: string; from: string; to: string; jobs: JobMetrics[] } {
  const from = now.getTime() - windowMs;
  const byJob = new Map<string, TerminalRun[]>();
  for (const r of runs) {
    const t = Date.parse(r.finishedAt);
    if (t <= from || t > now.getTime()) continue;
    if (r.state !== 'succeeded' && r.state !== 'failed') continue;
    byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  }
  const jobs = [...byJob].map(([job, rs]): JobMetrics => {
    const failures = rs.filter((r) => r.state === 'failed').length;
    const durations = rs
      .map((r) => r.durationMs)
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b);
    const rate = Math.round(((rs.length - failures) / rs.length) * 1000) / 10;
    const last = Math.max(...rs.map((r) => Date.parse(r.finishedAt)));
    return {
      job,
      runs: rs.length,
      failures,
      successRate: rate,
      band: successBand(rate),
      p50Ms: percentile(durations, 50),
      p95Ms: percentile(durations, 95),
      maxMs: durations.length ? durations[durations.length - 1] : null,
      lastRunAt: rfc3339(last),
      lastRunAgeSeconds: Math.floor((now.getTime() - last) / 1000),
    };
  });
  jobs.sort((a, b) => a.job.localeCompare(b.job));
  return { window: `${Math.round(windowMs / 3_600_000)}h`, from: rfc3339(from)!, to: rfc3339(now)!, jobs };
}
