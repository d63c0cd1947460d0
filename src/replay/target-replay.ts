import { evolveTarget, TargetState } from '../polling/target.state';
import { breakerAdmits } from '../polling/breaker.decider';
import type { PollFailed, PollSucceeded } from '../polling/events/poll-outcome.events';
import type { TargetEvent } from '../polling/events/target.events';
import type { ProbeResult } from '../polling/probes/probe';
import { policyAdmits } from '../polling/next-due';
import { DecideContext, targetDecider, TargetCommand } from '../polling/target.decider';
import { isRejection } from '../shared/decider';
import { TargetFigures, TargetTally } from './target-tally';

/** Events the policy produces from a poll outcome (recorded in the same append as the poll). */
const OUTCOME_TYPES = new Set<TargetEvent['type']>(['BreakerOpened', 'BreakerClosed', 'TargetDeadLettered', 'DeadLetterRetryFailed', 'TargetRecovered']);
/** Events of the policy or the scheduler: the what-if makes its own instead. */
const POLICY_TYPES = new Set<TargetEvent['type']>([...OUTCOME_TYPES, 'BreakerHalfOpened', 'PollSkipped', 'PollSucceeded', 'PollFailed']);

type Poll = PollSucceeded | PollFailed;

export interface TargetWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * One target through the window twice: as recorded, and as the what-if policy would have run it.
 * The what-if keeps operator and lifecycle facts (pause, reset, redrive, poll-now) as recorded,
 * takes each recorded probe outcome as what that probe would have returned, and lets the same
 * deciders the scheduler uses (the target decider → decideBreaker / decideDeadLetter) turn outcomes
 * into transitions. A recorded probe the what-if breaker or dead-letter wait would have refused
 * is counted as skipped and its outcome not fed.
 */
export class TargetReplay {
  private actual: TargetState | null;
  private sim: TargetState | null;
  private readonly decider: ReturnType<typeof targetDecider>;
  private readonly actualTally: TargetTally;
  private readonly simTally: TargetTally;
  /** The last recorded poll, held until its transitions (same append) have been seen. */
  private pending: { poll: Poll; outcomes: TargetEvent[] } | null = null;
  private seen = false;

  constructor(
    readonly key: string,
    start: TargetState | null,
    ctx: DecideContext,
    window: TargetWindow,
  ) {
    this.decider = targetDecider(ctx);
    this.actual = start;
    this.sim = start;
    this.actualTally = new TargetTally(window.fromMs, window.toMs, start?.breaker ?? null);
    this.simTally = new TargetTally(window.fromMs, window.toMs, start?.breaker ?? null);
  }

  /** Tenant of the target as last known (for tenant-scoped callers). */
  get tenant(): string | null {
    return (this.actual ?? this.sim)?.spec.tenant ?? null;
  }

  /** Whether anything happened to it in the window, or it entered the window with an open breaker. */
  get relevant(): boolean {
    return this.seen || this.actualTally.figures().timeOpenSeconds > 0;
  }

  feed(e: TargetEvent): void {
    this.seen = true;
    if (this.pending && OUTCOME_TYPES.has(e.type)) {
      this.pending.outcomes.push(e);
      this.recorded(e);
      return;
    }
    this.flush();
    this.recorded(e);
    if (e.type === 'PollSucceeded' || e.type === 'PollFailed') this.pending = { poll: e, outcomes: [] };
    else if (e.type === 'PollSkipped') this.simSkip(e.data.at);
    else if (!POLICY_TYPES.has(e.type)) this.simApply(e);
  }

  finish(): { actual: TargetFigures; whatIf: TargetFigures } {
    this.flush();
    return { actual: this.actualTally.figures(), whatIf: this.simTally.figures() };
  }

  private recorded(e: TargetEvent): void {
    this.actual = evolveTarget(this.actual, e);
    this.actualTally.note(e);
  }

  /** Decides a command on the what-if state and folds its events in (a rejection changes nothing). */
  private simDecide(cmd: TargetCommand): void {
    const decision = this.decider.decide(cmd, this.sim);
    if (!isRejection(decision)) for (const ev of decision) this.simApply(ev);
  }

  private simApply(e: TargetEvent): void {
    this.sim = evolveTarget(this.sim, e);
    this.simTally.note(e);
  }

  /** The scheduler found a poll due while the breaker was open: the what-if skips it only if its own breaker is open then. */
  private simSkip(atIso: string): void {
    const s = this.sim;
    const at = new Date(atIso);
    if (!s || s.deadLetter || s.breaker.state !== 'open' || breakerAdmits(s.breaker, at)) return;
    this.simDecide({ type: 'SkipPoll', key: this.key, at });
  }

  private flush(): void {
    const p = this.pending;
    this.pending = null;
    if (p) this.simPoll(p.poll, p.outcomes);
  }

  private simPoll(poll: Poll, outcomes: TargetEvent[]): void {
    const s = this.sim;
    if (!s) return;
    const d = poll.data;
    const startedAt = new Date(d.at);
    // The probe ended when its transitions were decided; without any, start + duration is as close as the log gets.
    const first = outcomes[0];
    const finishedAt = first ? new Date('since' in first.data ? first.data.since : first.data.at) : new Date(startedAt.getTime() + d.durationMs);
    // An operator's poll-now (or redrive / reset) is made whatever the policy; others wait as the scheduler would.
    const requested = d.trigger === 'requested';
    const admitted = policyAdmits(s, startedAt, requested);
    if (!admitted) {
      this.simTally.skip();
      return;
    }
    if (s.breaker.state === 'open') {
      this.simDecide({ type: 'AdmitProbe', key: this.key, at: startedAt, force: requested || !!s.deadLetter });
    }
    const result: ProbeResult =
      poll.type === 'PollSucceeded'
        ? { ok: true, statusCode: d.statusCode, durationMs: d.durationMs }
        : {
            ok: false,
            statusCode: d.statusCode,
            durationMs: d.durationMs,
            failureKind: poll.data.failureKind,
            category: poll.data.category,
            message: poll.data.message,
          };
    this.simDecide({ type: 'RecordPollOutcome', key: this.key, at: finishedAt, result, startedAt, finishedAt, dueAt: new Date(d.dueAt), trigger: d.trigger });
  }
}
