import type { RunLike } from './run-aggregates';

/** A run that failed for good (all its attempts spent): what the attention list needs of it. */
export interface FailedRun {
  readonly runId: string;
  readonly job: string;
  readonly tenant: string | null;
  readonly finishedAt: string;
  readonly error: string | null;
}

/** The latest success of a job for a tenant. */
export interface LastSuccess {
  readonly job: string;
  readonly tenant: string | null;
  readonly at: string;
}

/** The failures of one job (and tenant) since its last success, oldest first, newest last. */
export interface FailedRunGroup {
  readonly job: string;
  readonly tenant: string | null;
  readonly failures: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly lastRunId: string;
  readonly lastError: string | null;
}

const keyOf = (job: string, tenant: string | null) => `${job}\u0000${tenant ?? ''}`;

/**
 * The failures not resolved by a later success: a failed run stays unresolved until a run of the
 * same job and tenant (a retry of it or any later run) succeeds after it finished. Grouped per job
 * and tenant, in job then tenant order.
 */
export function failuresSinceLastSuccess(failed: Iterable<FailedRun>, successes: Iterable<LastSuccess>): FailedRunGroup[] {
  const lastOk = new Map<string, number>();
  for (const s of successes) {
    const k = keyOf(s.job, s.tenant);
    lastOk.set(k, Math.max(lastOk.get(k) ?? -Infinity, Date.parse(s.at)));
  }
  const byId = new Map<string, FailedRun>();
  for (const f of failed) byId.set(f.runId, f);
  const groups = new Map<string, FailedRun[]>();
  for (const f of byId.values()) {
    const k = keyOf(f.job, f.tenant);
    if (Date.parse(f.finishedAt) < (lastOk.get(k) ?? -Infinity)) continue;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, runs]) => {
      const sorted = runs.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt) || (a.runId < b.runId ? -1 : 1));
      const last = sorted[sorted.length - 1];
      return {
        job: last.job,
        tenant: last.tenant,
        failures: sorted.length,
        firstFailedAt: sorted[0].finishedAt,
        lastFailedAt: last.finishedAt,
        lastRunId: last.runId,
        lastError: last.error,
      };
    });
}

/** RunReadModel.failedRunsSince, in memory (for `?at=` answers folded from the log). */
export function failedRunsOf(rows: Iterable<RunLike>, from: Date): FailedRun[] {
  const out: FailedRun[] = [];
  for (const r of rows)
    if (r.state === 'failed' && r.finishedAt !== null && Date.parse(r.finishedAt) > from.getTime())
      out.push({ runId: r.runId, job: r.job, tenant: r.tenant, finishedAt: new Date(r.finishedAt).toISOString(), error: r.error });
  return out;
}

/** RunReadModel.lastSuccessesSince, in memory. */
export function lastSuccessesOf(rows: Iterable<RunLike>, from: Date): LastSuccess[] {
  const out: LastSuccess[] = [];
  for (const r of rows)
    if (r.state === 'succeeded' && r.finishedAt !== null && Date.parse(r.finishedAt) > from.getTime())
      out.push({ job: r.job, tenant: r.tenant, at: new Date(r.finishedAt).toISOString() });
  return out;
}
