import type { Logger } from 'pino';
import { jobQueueProjection, QueueRow } from '../../../projections/job-queue/job-queue.projection';
import type { EventMetadata, RecordedEvent } from '../../event-store/envelope';
import type { EventStore } from '../../event-store/event-store.port';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { sqlOf, UnitOfWork } from '../../event-store/unit-of-work';
import { Decision, isRejection } from '../../shared/decider';
import { RunEvent, runStream } from '../events/run.events';
import { evolveRun, RunState } from '../run.state';

export interface RunChange {
  readonly runId: string;
  readonly expected: 'no_stream' | bigint;
  readonly events: readonly RunEvent[];
  readonly metadata?: Partial<EventMetadata>;
}

export interface LockedRun {
  readonly runId: string;
  readonly row: QueueRow;
  readonly revision: bigint;
  /** False when the janitor already dropped it from the queue view (row read from history). */
  readonly inQueue: boolean;
}

/** Wakes idle workers at once after an enqueue commits (they also poll as a fallback). */
export const JOBS_CHANNEL = 'ol_jobs';

/**
 * The one way run streams are written: lock the run's queue row, decide on it, append with the
 * row's revision as the expected revision; the store folds the events into the queue view
 * (inline, registered by createJobsRuntime) in the same unit of work. Every writer locks first, so
 * a conflict means a writer outside this path — except a worker's results (actUnlocked, ADR 0018),
 * written without locks at the revisions its claims left, whose conflict sends them down this path.
 * Needs a SQL-backed store: the queue view's row locks are taken in the unit.
 */
export class RunWriter {
  constructor(
    readonly store: EventStore,
    private readonly log: Logger,
  ) {}

  /**
   * Appends the changes (one multi-stream append) inside `uow`; the store folds them into
   * rm_job_queue. `known` holds the queue rows the caller has locked (null for new runs): the
   * store folds onto those without a reload. Runs the janitor dropped from the queue view are
   * known to have no row there, so they are not put back.
   */
  async commit(
    uow: UnitOfWork,
    changes: readonly RunChange[],
    opts: { notify?: boolean; known?: ReadonlyMap<string, QueueRow | null>; notInQueue?: ReadonlySet<string> } = {},
  ): Promise<RecordedEvent[]> {
    const withEvents = changes.filter((ch) => ch.events.length);
    if (!withEvents.length) return [];
    const known = new Map<string, QueueRow | null>(opts.known);
    for (const id of opts.notInQueue ?? []) known.set(id, null);
    const recorded = (
      await uow.appendMany(
        withEvents.map((ch) => ({ streamId: runStream(ch.runId), expected: ch.expected, events: ch.events.map((e) => ({ ...e, metadata: ch.metadata })) })),
        { knownRows: { [jobQueueProjection.name]: known } },
      )
    ).flatMap((r) => r.events);
    if (opts.notify) await sqlOf(uow).query(`SELECT pg_notify('${JOBS_CHANNEL}', '')`);
    return recorded;
  }

  /**
   * New runs (expected `no_stream`, no queue row yet) in one autocommit statement: events and
   * queue rows together (EventStore.appendMany), no unit of work.
   */
  async appendNew(changes: readonly RunChange[]): Promise<RecordedEvent[]> {
    return this.appendHeld(changes, new Map(changes.map((ch) => [ch.runId, null])));
  }

  /** Appends at the revisions the caller holds, onto the queue rows it holds (`rows`), without a unit: one statement. */
  private async appendHeld(changes: readonly RunChange[], rows: ReadonlyMap<string, QueueRow | null>): Promise<RecordedEvent[]> {
    const withEvents = changes.filter((ch) => ch.events.length);
    if (!withEvents.length) return [];
    return (
      await this.store.appendMany(
        withEvents.map((ch) => ({ streamId: runStream(ch.runId), expected: ch.expected, events: ch.events.map((e) => ({ ...e, metadata: ch.metadata })) })),
        { knownRows: { [jobQueueProjection.name]: rows } },
      )
    ).flatMap((r) => r.events);
  }

  /**
   * A worker's results without locks: each run decided on the caller's copy of its row and
   * appended at the revision the caller holds (`known`), queue rows and events in one statement.
   * The appends' revision check stands in for the row lock: a run changed since (a cancel request,
   * the reaper) fails the whole statement, and null sends the caller to the locking path, which
   * reads the changed runs again. Null too where that path is needed anyway: a decision refused,
   * or one that must wake workers (RetryScheduled).
   */
  private async actUnlocked(
    runIds: readonly string[],
    decide: (row: QueueRow | null, runId: string) => Decision<RunEvent>,
    metadata: ((runId: string) => Partial<EventMetadata> | undefined) | undefined,
    known: ReadonlyMap<string, { row: QueueRow; revision: bigint }>,
  ): Promise<Map<string, Decision<RunEvent>> | null> {
    const decisions = new Map<string, Decision<RunEvent>>();
    const changes: RunChange[] = [];
    for (const id of runIds) {
      const k = known.get(id);
      if (!k) return null;
      const d = decide(k.row, id);
      if (isRejection(d) || d.some((e) => e.type === 'RetryScheduled')) return null;
      decisions.set(id, d);
      changes.push({ runId: id, expected: k.revision, events: d, metadata: metadata?.(id) });
    }
    try {
      await this.appendHeld(changes, new Map(runIds.map((id) => [id, known.get(id)!.row])));
      return decisions;
    } catch (err) {
      // 40P01: a deadlock with a writer outside the lock order (the locking path retries cleanly).
      if (err instanceof ExpectedVersionConflict || (err as { code?: string }).code === '40P01') return null;
      throw err;
    }
  }

  /** Locks the runs' rows (the queue's; for runs the janitor dropped from it, see below). */
  async lock(uow: UnitOfWork, runIds: readonly string[]): Promise<Map<string, LockedRun>> {
    const out = new Map<string, LockedRun>();
    if (!runIds.length) return out;
    const c = sqlOf(uow);
    const sorted = [...new Set(runIds)].sort();
    const q = await c.query<{ key: string; doc: QueueRow; revision: string }>(
      `SELECT key, doc, revision FROM rm_job_queue WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
      [sorted],
    );
    for (const r of q.rows) out.set(r.key, { runId: r.key, row: r.doc, revision: BigInt(r.revision), inQueue: true });
    // Runs the janitor dropped from the queue view: fold their streams (the async history could lag,
    // and appends need the exact head revision). A transaction-level advisory lock per run keeps
    // two writers of such a run apart, as the row lock does for queued ones.
    for (const id of sorted.filter((x) => !out.has(x))) {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [runStream(id)]);
      const events = await uow.readStream(runStream(id));
      let row: RunState | null = null;
      for (const e of events) row = evolveRun(row, e);
      if (row) out.set(id, { runId: id, row, revision: events[events.length - 1].revision, inQueue: false });
    }
    return out;
  }

  /**
   * Locks the rows of runs whose row and revision the caller holds already (a worker's own
   * claims) and reads only their revisions: where a revision is still the one the caller holds,
   * so is the row, and the decision is made on the caller's copy; the rest are loaded as `lock` does.
   */
  async lockKnown(uow: UnitOfWork, known: ReadonlyMap<string, { row: QueueRow; revision: bigint }>): Promise<Map<string, LockedRun>> {
    const out = new Map<string, LockedRun>();
    if (!known.size) return out;
    const { rows } = await sqlOf(uow).query<{ key: string; revision: string }>(
      `SELECT key, revision FROM rm_job_queue WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
      [[...known.keys()].sort()],
    );
    const at = new Map(rows.map((r) => [r.key, BigInt(r.revision)]));
    for (const [runId, k] of known) if (at.get(runId) === k.revision) out.set(runId, { runId, row: k.row, revision: k.revision, inQueue: true });
    for (const l of (
      await this.lock(
        uow,
        [...known.keys()].filter((id) => !out.has(id)),
      )
    ).values())
      out.set(l.runId, l);
    return out;
  }

  /** `act` inside the caller's unit of work; `known`: rows the caller holds (see `lockKnown`). */
  async actIn(
    uow: UnitOfWork,
    runIds: readonly string[],
    decide: (row: QueueRow | null, runId: string) => Decision<RunEvent>,
    metadata?: (runId: string) => Partial<EventMetadata> | undefined,
    known?: ReadonlyMap<string, { row: QueueRow; revision: bigint }>,
  ): Promise<Map<string, Decision<RunEvent>>> {
    const locked = known ? await this.lockKnown(uow, known) : await this.lock(uow, runIds);
    const decisions = new Map<string, Decision<RunEvent>>();
    const changes: RunChange[] = [];
    for (const id of runIds) {
      const l = locked.get(id);
      const d = decide(l?.row ?? null, id);
      decisions.set(id, d);
      if (!isRejection(d) && l) changes.push({ runId: id, expected: l.revision, events: d, metadata: metadata?.(id) });
    }
    await this.commit(uow, changes, {
      notify: changes.some((ch) => ch.events.some((e) => e.type === 'RetryScheduled')),
      known: new Map([...locked.values()].filter((l) => l.inQueue).map((l) => [l.runId, l.row])),
      notInQueue: new Set([...locked.values()].filter((l) => !l.inQueue).map((l) => l.runId)),
    });
    return decisions;
  }

  /**
   * Decides for each run under its row lock and commits all accepted decisions in one unit of work.
   * Retries the whole batch on a conflict (a writer that bypassed the lock), at most 3 times.
   * With `known` rows for every run (a worker's own claims), the unlocked path is tried first
   * (actUnlocked: one statement, no unit).
   */
  async act(
    runIds: readonly string[],
    decide: (row: QueueRow | null, runId: string) => Decision<RunEvent>,
    metadata?: (runId: string) => Partial<EventMetadata> | undefined,
    known?: ReadonlyMap<string, { row: QueueRow; revision: bigint }>,
  ): Promise<Map<string, Decision<RunEvent>>> {
    if (known && runIds.every((id) => known.has(id))) {
      const done = await this.actUnlocked(runIds, decide, metadata, known);
      if (done) return done;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        // A retry after a conflict reads every row again.
        return await this.store.transact((uow) => this.actIn(uow, runIds, decide, metadata, attempt === 0 ? known : undefined));
      } catch (err) {
        if (err instanceof ExpectedVersionConflict && attempt < 3) {
          this.log.warn({ event: 'background_job.write_conflict', runIds: runIds.slice(0, 5), attempt }, 'run stream changed under a lock; retrying');
          continue;
        }
        throw err;
      }
    }
  }
}
