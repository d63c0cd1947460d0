/** One day of the drill-in trend: runs, failed runs, and those of them not made good by a successful retry. */
export interface TrendDay {
  readonly day: string;
  readonly runs: number;
  readonly failures: number;
  readonly unresolved: number;
}

/** A 30-day failure trend with every day present (zeros where nothing ran), oldest first. */
export function dailyTrendView(
  rows: readonly { day: string; runs: number; failures: number }[],
  now: Date,
  unresolved: ReadonlyMap<string, number> = new Map(),
  days = 30,
): TrendDay[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: TrendDay[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    const r = byDay.get(day);
    out.push({ day, runs: r?.runs ?? 0, failures: r?.failures ?? 0, unresolved: unresolved.get(day) ?? 0 });
  }
  return out;
}
