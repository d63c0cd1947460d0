import type { RecordedEvent } from '../event-store/envelope';
import type { RunAbandoned, RunEvent, RunFailed } from '../jobs/events/run.events';
import { runDecider, RunStepCommand } from '../jobs/run.decider';
import { evolveRun, RunState } from '../jobs/run.state';
import { isRejection } from '../shared/decider';
import type { JobRetryPolicy } from './what-if-policy';

/** What the report says about a job's runs, recorded and what-if alike. */
export interface JobFigures {
  readonly retries: number;
  readonly deadLetters: number;
  /** Sum of the backoff waits before those retries. */
  readonly retryWaitSeconds: number;
}

interface Counts {
  retries: number;
  deadLetters: number;
  retryWaitMs: number;
}

type Evolvable = Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'recordedAt'>;
type Failure = RunFailed | RunAbandoned;

const FOLLOW_UPS = new Set(['RetryScheduled', 'RunDeadLettered', 'RunCancelled']);
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

/** A retry is a RetryScheduled that moves to a later attempt (a graceful hand-back keeps the attempt). */
function count(c: Counts, before: RunState | null, e: RunEvent): void {
  if (e.type === 'RetryScheduled' && before && e.data.attempt > before.attempt) {
    c.retries++;
    c.retryWaitMs += e.data.backoffMs;
  } else if (e.type === 'RunDeadLettered') c.deadLetters++;
}

const figures = (c: Counts): JobFigures => ({ retries: c.retries, deadLetters: c.deadLetters, retryWaitSeconds: Math.round(c.retryWaitMs) / 1000 });
export const addJobFigures = (a: JobFigures, b: JobFigures): JobFigures => ({
  retries: a.retries + b.retries,
  deadLetters: a.deadLetters + b.deadLetters,
  retryWaitSeconds: Math.round((a.retryWaitSeconds + b.retryWaitSeconds) * 1000) / 1000,
});
export const zeroJobFigures = (): JobFigures => ({ retries: 0, deadLetters: 0, retryWaitSeconds: 0 });

/**
 * One run through the window twice: as recorded, and with the what-if retry policy. Every
 * recorded attempt keeps its recorded outcome; at each failure the run decider (runDecider, the
 * one the workers use) decides retry or dead-letter with the run's rules replaced by the policy.
 * When the what-if dead-letters earlier, the later recorded attempts are not fed; when it would
 * retry after the last recorded attempt, that attempt's outcome is unknown (counted as a retry).
 */
export class RunReplay {
  private actual: RunState | null = null;
  private sim: RunState | null = null;
  /** The what-if run has ended (dead-lettered, or gone past the recorded attempts). */
  private simEnded = false;
  private readonly actualCounts: Counts = { retries: 0, deadLetters: 0, retryWaitMs: 0 };
  private readonly simCounts: Counts = { retries: 0, deadLetters: 0, retryWaitMs: 0 };
  private pending: { failure: Failure; actualBefore: RunState | null; simBefore: RunState | null; rec: Evolvable } | null = null;
  /** Failed attempts after which the what-if retries but nothing was recorded (unknown outcome). */
  unknownOutcomes = 0;

  constructor(private readonly policy: JobRetryPolicy) {}

  get job(): string | null {
    return this.actual?.job ?? null;
  }
  get tenant(): string | null {
    return this.actual?.tenant ?? null;
  }
  /** Nothing more can change the figures: the run ended as recorded and no failure waits for its follow-up. */
  get done(): boolean {
    return !this.pending && !!this.actual && TERMINAL.has(this.actual.state);
  }

  /** Events before the window: state only, nothing counted. */
  history(e: Evolvable): void {
    this.actual = evolveRun(this.actual, e);
    this.sim = this.withPolicy(evolveRun(this.sim, e), e);
  }

  feed(e: Evolvable): void {
    const ev = e as unknown as RunEvent;
    // The follow-up of a held failure is the recorded decision: the what-if makes its own instead.
    let decided = false;
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      decided = FOLLOW_UPS.has(ev.type);
      this.resolve(p, decided ? ev : null);
    }
    const before = this.actual;
    this.actual = evolveRun(this.actual, e);
    count(this.actualCounts, before, ev);
    if (ev.type === 'RunFailed' || ev.type === 'RunAbandoned') {
      this.pending = { failure: ev, actualBefore: before, simBefore: this.sim, rec: e };
      return;
    }
    if (this.simEnded || decided) return;
    // A follow-up with its failure before the window, and every other fact, the what-if takes as recorded.
    const simBefore = this.sim;
    this.sim = this.withPolicy(evolveRun(this.sim, e), e);
    if (FOLLOW_UPS.has(ev.type)) count(this.simCounts, simBefore, ev);
  }

  finish(): { actual: JobFigures; whatIf: JobFigures } {
    // A failure whose follow-up lies after the window is not counted on either side.
    this.pending = null;
    return { actual: figures(this.actualCounts), whatIf: figures(this.simCounts) };
  }

  private withPolicy(row: RunState | null, e: Evolvable): RunState | null {
    if (!row || e.type !== 'RunEnqueued') return row;
    const p = this.policy;
    return {
      ...row,
      maxAttempts: p.maxAttempts ?? row.maxAttempts,
      backoff: { ...row.backoff, baseMs: p.backoffBaseMs ?? row.backoff.baseMs, maxMs: p.backoffMaxMs ?? row.backoff.maxMs },
    };
  }

  private resolve(p: NonNullable<RunReplay['pending']>, follow: RunEvent | null): void {
    if (this.simEnded || !p.simBefore) return;
    const f = p.failure;
    const cmd: RunStepCommand =
      f.type === 'RunFailed'
        ? {
            type: 'Fail',
            workerId: f.data.workerId,
            attempt: f.data.attempt,
            outcome: {
              finishedAt: f.data.finishedAt,
              durationMs: f.data.durationMs,
              exitCode: f.data.exitCode,
              logTail: f.data.logTail,
              error: f.data.error,
              errorKind: f.data.errorKind,
            },
          }
        : {
            type: 'Abandon',
            workerId: f.data.workerId,
            reason: f.data.reason,
            now: new Date(f.data.at),
            countsAsAttempt: !(follow?.type === 'RetryScheduled' && follow.data.attempt === f.data.attempt),
          };
    // What the recorded rules say here; when the log says otherwise the follow-up was forced (janitor, operator), not policy.
    const expected = runDecider.decide(cmd, p.actualBefore);
    const expectedLast = isRejection(expected) ? null : expected[expected.length - 1]?.type;
    const simD = runDecider.decide(cmd, p.simBefore);
    if (isRejection(simD) || (follow && expectedLast !== follow.type)) {
      this.sim = evolveRun(this.sim, p.rec);
      if (follow) this.applySim(follow, p.rec);
      if (follow?.type === 'RunDeadLettered') this.simEnded = true;
      return;
    }
    this.sim = p.simBefore;
    for (const ev of simD) this.applySim(ev, p.rec);
    const last = simD[simD.length - 1]?.type;
    if (last === 'RunDeadLettered' || last === 'RunCancelled') this.simEnded = true;
    else if (last === 'RetryScheduled' && follow?.type === 'RunDeadLettered') {
      // Past the recorded attempts: the next attempt never ran, so its outcome is unknown.
      this.unknownOutcomes++;
      this.simEnded = true;
    }
  }

  private applySim(ev: RunEvent, like: Evolvable): void {
    const before = this.sim;
    this.sim = evolveRun(this.sim, { type: ev.type, data: ev.data, metadata: like.metadata, recordedAt: like.recordedAt });
    count(this.simCounts, before, ev);
  }
}
