/** What resolving failures needs of a run. */
export interface RunLink {
  readonly runId: string;
  readonly job: string;
  readonly state: string;
  readonly retryOf: string | null;
  readonly finishedAt: string | null;
}

/** The trend and the SLA look this far back (the drill-in's 30-day chart). */
export const FAILURE_WINDOW_DAYS = 30;

/**
 * The failed runs not yet made good: a failure is resolved once a retry of it (or a retry of that
 * retry, and so on) succeeded. `runs` must hold the failed runs and every retry run of the window.
 */
export function unresolvedFailures<R extends RunLink>(runs: Iterable<R>): R[] {
  const all = [...runs];
  const byId = new Map(all.map((r) => [r.runId, r]));
  const healed = new Set<string>();
  for (const r of all) {
    if (r.state !== 'succeeded') continue;
    // Walk up the retry chain: every run it retried is made good.
    for (let id = r.retryOf; id !== null && !healed.has(id); id = byId.get(id)?.retryOf ?? null) healed.add(id);
  }
  return all.filter((r) => r.state === 'failed' && !healed.has(r.runId));
}

/** Unresolved failures per job. */
export function unresolvedByJob(runs: Iterable<RunLink>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of unresolvedFailures(runs)) out.set(r.job, (out.get(r.job) ?? 0) + 1);
  return out;
}

/** Unresolved failures per UTC day of the failure. */
export function unresolvedByDay(runs: Iterable<RunLink>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of unresolvedFailures(runs)) {
    if (!r.finishedAt) continue;
    const day = new Date(r.finishedAt).toISOString().slice(0, 10);
    out.set(day, (out.get(day) ?? 0) + 1);
  }
  return out;
}

/** Whether a run belongs to the window's links: it finished after `from`, and failed or is a retry. */
export const isFailureLink = (r: RunLink, from: Date) =>
  r.finishedAt !== null && Date.parse(r.finishedAt) > from.getTime() && (r.state === 'failed' || r.retryOf !== null);

export const failureWindowStart = (now: Date, days = FAILURE_WINDOW_DAYS) => new Date(now.getTime() - days * 86_400_000);
