/**
 * The invariants the chaos test checks, as pure functions over what was recorded (events, owner
 * intervals), so each can be shown to catch a broken history (chaos-checks.unit.spec.ts).
 */

/** The parts of a stored event the checks read. */
export interface RunEventRow {
  readonly type: string;
  readonly revision: number;
  readonly data: Record<string, any>;
}

export type RunStatus =
  'pending' | 'retrying' | 'running' | 'cancelling' | 'succeeded' | 'dead-lettered' | 'cancelled' | 'expired' | 'failed-attempt' | 'released' | 'unknown';
export const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'dead-lettered', 'cancelled', 'expired']);

export interface RunHistory {
  readonly status: RunStatus;
  /** When a waiting run may be claimed (pending/retrying). */
  readonly readyAt: string | null;
  /** Claims of each attempt number ("1" → 2 when attempt 1 was claimed twice, after a release). */
  readonly claims: ReadonlyMap<number, number>;
  readonly problems: string[];
}

/**
 * Folds one run's stream (oldest first) and names every break of the run's life: a claim while a
 * claim is open (two workers at once), an attempt closed twice or by a worker that does not hold
 * it, anything after a terminal event, a failed or abandoned attempt left without a retry or an
 * end, a revision out of order.
 */
export function foldRun(events: readonly RunEventRow[]): RunHistory {
  const problems: string[] = [];
  const claims = new Map<number, number>();
  let status = 'unknown' as RunStatus;
  let readyAt: string | null = null;
  let lease = null as { workerId: string; attempt: number } | null;
  const closeLease = (e: RunEventRow) => {
    if (!lease) problems.push(`r${e.revision} ${e.type} (attempt ${e.data.attempt}, worker ${e.data.workerId}) closes no open claim`);
    else if (lease.workerId !== e.data.workerId || lease.attempt !== e.data.attempt) {
      problems.push(
        `r${e.revision} ${e.type} closes attempt ${e.data.attempt} of ${e.data.workerId}, but the open claim is attempt ${lease.attempt} of ${lease.workerId}`,
      );
    }
    lease = null;
  };
  events.forEach((e, i) => {
    if (e.revision !== i) problems.push(`revision ${e.revision} where ${i} was expected`);
    if (TERMINAL.has(status)) problems.push(`r${e.revision} ${e.type} after the run ended (${status})`);
    const waiting = status === 'pending' || status === 'retrying';
    switch (e.type) {
      case 'RunEnqueued':
        if (i !== 0) problems.push(`r${e.revision} RunEnqueued is not the first event`);
        status = 'pending';
        readyAt = e.data.readyAt ?? null;
        break;
      case 'RunClaimed':
        if (!waiting)
          problems.push(
            `r${e.revision} RunClaimed by ${e.data.workerId} while the run is ${status}${lease ? ` (claimed by ${(lease as { workerId: string }).workerId})` : ''}`,
          );
        lease = { workerId: e.data.workerId, attempt: e.data.attempt };
        claims.set(e.data.attempt, (claims.get(e.data.attempt) ?? 0) + 1);
        status = 'running';
        readyAt = null;
        break;
      case 'CancelRequested':
        if (status === 'running') status = 'cancelling';
        break;
      case 'RunSucceeded':
        if (status !== 'running' && status !== 'cancelling') problems.push(`r${e.revision} RunSucceeded while the run is ${status}`);
        closeLease(e);
        status = 'succeeded';
        break;
      case 'RunFailed':
      case 'RunAbandoned':
        if (status !== 'running' && status !== 'cancelling') problems.push(`r${e.revision} ${e.type} while the run is ${status}`);
        closeLease(e);
        status = e.type === 'RunFailed' ? 'failed-attempt' : 'released';
        break;
      case 'RetryScheduled':
        if (status !== 'failed-attempt' && status !== 'released') problems.push(`r${e.revision} RetryScheduled while the run is ${status}`);
        status = 'retrying';
        readyAt = e.data.readyAt ?? null;
        break;
      case 'RunDeadLettered':
        if (status !== 'failed-attempt' && status !== 'released') problems.push(`r${e.revision} RunDeadLettered while the run is ${status}`);
        status = 'dead-lettered';
        break;
      case 'RunCancelled':
        if (status === 'running' || status === 'cancelling') closeLease({ ...e, data: { ...e.data, workerId: lease?.workerId, attempt: lease?.attempt } });
        else if (!waiting && status !== 'failed-attempt' && status !== 'released') problems.push(`r${e.revision} RunCancelled while the run is ${status}`);
        status = 'cancelled';
        break;
      case 'RunExpired':
        if (!waiting) problems.push(`r${e.revision} RunExpired while the run is ${status}`);
        status = 'expired';
        break;
      default:
        problems.push(`r${e.revision} unexpected event ${e.type} in a run stream`);
    }
  });
  if (!events.length) problems.push('no events');
  if (status === 'failed-attempt' || status === 'released') problems.push(`the last attempt ended (${status}) without a retry, a dead-letter or a cancel`);
  return { status, readyAt, claims, problems };
}

/** A time during which one process said it owned something: from its "acquired" line to its release or death. */
export interface OwnerInterval {
  readonly owner: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Owner intervals of one process life from its log: each `acquired` opens one, the next
 * `released` closes it; one still open when the life ended closes at `end` (SIGKILL time).
 */
export function ownerIntervals(owner: string, marks: readonly { kind: 'acquired' | 'released'; at: number }[], end: number): OwnerInterval[] {
  const out: OwnerInterval[] = [];
  let open: number | null = null;
  for (const m of [...marks].sort((a, b) => a.at - b.at)) {
    if (m.kind === 'acquired') {
      if (open === null) open = m.at;
    } else if (open !== null) {
      out.push({ owner, from: open, to: m.at });
      open = null;
    }
  }
  if (open !== null) out.push({ owner, from: open, to: end });
  return out;
}

/** Pairs of intervals of different owners that overlap in time. */
export function overlapping(intervals: readonly OwnerInterval[]): [OwnerInterval, OwnerInterval][] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  const out: [OwnerInterval, OwnerInterval][] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].from < sorted[i].to; j++) {
      if (sorted[j].owner !== sorted[i].owner) out.push([sorted[i], sorted[j]]);
    }
  }
  return out;
}

export interface PollOutcomeRow {
  readonly streamId: string;
  readonly type: string;
  readonly data: { at: string; dueAt: string; trigger: string };
  readonly metadata: { instanceId?: string };
}

/**
 * Poll outcomes that break "one owner per target": two outcomes of one target for the same due
 * time (polled twice), and outcomes whose probe started when the instance that recorded them did
 * not hold the target's poll partition (per its log). `owners(streamId)` gives the ownership
 * intervals of the stream's partition.
 */
export function pollProblems(outcomes: readonly PollOutcomeRow[], owners: (streamId: string) => readonly OwnerInterval[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, PollOutcomeRow>();
  for (const o of outcomes) {
    if (o.data.trigger !== 'requested') {
      const k = `${o.streamId} ${o.data.dueAt}`;
      const first = seen.get(k);
      if (first)
        problems.push(
          `${o.streamId} polled twice for due time ${o.data.dueAt}: by ${first.metadata.instanceId} at ${first.data.at} and by ${o.metadata.instanceId} at ${o.data.at}`,
        );
      else seen.set(k, o);
    }
    const who = o.metadata.instanceId;
    const at = Date.parse(o.data.at);
    if (!who) problems.push(`${o.type} of ${o.streamId} at ${o.data.at} does not say which instance polled`);
    else if (!owners(o.streamId).some((i) => i.owner === who && i.from <= at && at <= i.to))
      problems.push(`${o.type} of ${o.streamId}: probe started at ${o.data.at} by ${who}, which did not hold its partition then`);
  }
  return problems;
}

/**
 * Per poll partition, the marks of one process's log: `scheduler.active` opens the partitions it
 * lists, `scheduler.released` and `scheduler.lock_lost` close them.
 */
export function partitionMarks(
  lines: readonly { event?: string; time?: string; partitions?: unknown }[],
): Map<number, { kind: 'acquired' | 'released'; at: number }[]> {
  const by = new Map<number, { kind: 'acquired' | 'released'; at: number }[]>();
  for (const l of lines) {
    if (!['scheduler.active', 'scheduler.released', 'scheduler.lock_lost'].includes(String(l.event)) || !Array.isArray(l.partitions)) continue;
    const kind = l.event === 'scheduler.active' ? ('acquired' as const) : ('released' as const);
    for (const p of l.partitions as number[]) by.set(p, [...(by.get(p) ?? []), { kind, at: Date.parse(String(l.time)) }]);
  }
  return by;
}
