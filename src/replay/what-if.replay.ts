import type { TargetState } from '../polling/target.state';
import { inScope } from '../access/tenant-scope';
import type { RecordedEvent } from '../event-store/envelope';
import type { TargetEvent } from '../polling/events/target.events';
import type { PollRules } from '../polling/poll-rules';
import type { DecideContext } from '../polling/target.decider';
import { keyOfStream } from '../polling/events/target-spec';
import { addJobFigures, JobFigures, RunReplay, zeroJobFigures } from './run-replay';
import { TargetFigures, zeroTargetFigures } from './target-tally';
import { TargetReplay } from './target-replay';
import type { WhatIfPolicy } from './what-if-policy';

export interface WhatIfScope {
  readonly fromMs: number;
  /** Window end: open periods are clipped to it. */
  readonly toMs: number;
  /** Only these targets / jobs (absent = all). */
  readonly targets?: ReadonlySet<string>;
  readonly jobs?: ReadonlySet<string>;
  /** A tenant-scoped caller sees its own tenant's targets and jobs only. */
  readonly tenant: string | null;
}

export interface TargetComparison {
  readonly key: string;
  readonly actual: TargetFigures;
  readonly whatIf: TargetFigures;
}

export interface JobComparison {
  readonly job: string;
  /** Runs with at least one event in the window. */
  readonly runs: number;
  readonly actual: JobFigures;
  readonly whatIf: JobFigures;
  /** Failed attempts after which the what-if would retry but no further attempt was recorded. */
  readonly whatIfUnknownOutcomes: number;
}

export interface WhatIfComparison {
  readonly targets: TargetComparison[];
  readonly jobs: JobComparison[];
  readonly totals: {
    readonly targets: { readonly actual: TargetFigures; readonly whatIf: TargetFigures };
    readonly jobs: { readonly actual: JobFigures; readonly whatIf: JobFigures; readonly whatIfUnknownOutcomes: number };
  };
  readonly eventsReplayed: number;
}

const runIdOf = (streamId: string) => (streamId.startsWith('job-') ? streamId.slice(4) : null);

function addTargetFigures(a: TargetFigures, b: TargetFigures): TargetFigures {
  return {
    breakerOpens: a.breakerOpens + b.breakerOpens,
    timeOpenSeconds: Math.round((a.timeOpenSeconds + b.timeOpenSeconds) * 1000) / 1000,
    deadLetterEntries: a.deadLetterEntries + b.deadLetterEntries,
    deadLetterRetries: a.deadLetterRetries + b.deadLetterRetries,
    pollsSkipped: a.pollsSkipped + b.pollsSkipped,
  };
}

/**
 * The whole what-if over a window, fed the window's events in log order (pure: no I/O). Memory is
 * one state per target and one per run still open; a run's figures fold into its job's as soon
 * as it ends.
 */
export class WhatIfReplay {
  private readonly targets = new Map<string, TargetReplay>();
  private readonly runs = new Map<string, RunReplay>();
  private readonly jobs = new Map<string, { runs: number; actual: JobFigures; whatIf: JobFigures; unknown: number }>();
  private readonly ctx: DecideContext;
  private events = 0;

  constructor(
    private readonly policy: WhatIfPolicy,
    intervalRules: Omit<PollRules, 'breaker' | 'deadLetter'>,
    private readonly scope: WhatIfScope,
    /** Every target's state as it stood at the window start. */
    private readonly startStates: ReadonlyMap<string, TargetState>,
  ) {
    // Intervals do not change what the report counts; a fixed random keeps the replay deterministic.
    this.ctx = { rules: { ...intervalRules, breaker: policy.breaker, deadLetter: policy.deadLetter }, random: () => 0.5, intervalFactor: 1 };
    for (const [key, s] of startStates) if (s.breaker.state === 'open' && this.wantsTarget(key)) this.target(key);
  }

  private wantsTarget(key: string): boolean {
    return !this.scope.targets || this.scope.targets.has(key);
  }

  private target(key: string): TargetReplay {
    let t = this.targets.get(key);
    if (!t) {
      t = new TargetReplay(key, this.startStates.get(key) ?? null, this.ctx, this.scope);
      this.targets.set(key, t);
    }
    return t;
  }

  /** A run stream first met in the window past its start needs its earlier events (history) first. */
  needsHistory(e: RecordedEvent): boolean {
    const id = runIdOf(e.streamId);
    return !!id && e.revision > 0n && !this.runs.has(id);
  }

  /** Events of a run stream from before the window, oldest first. */
  history(streamId: string, events: readonly RecordedEvent[]): void {
    const id = runIdOf(streamId);
    if (!id || this.runs.has(id)) return;
    const r = new RunReplay(this.policy.jobs);
    for (const e of events) r.history(e);
    this.runs.set(id, r);
  }

  feed(e: RecordedEvent): void {
    const key = keyOfStream(e.streamId);
    if (key !== null) {
      if (!this.wantsTarget(key)) return;
      this.events++;
      this.target(key).feed(e as unknown as TargetEvent);
      return;
    }
    const id = runIdOf(e.streamId);
    if (!id) return;
    let r = this.runs.get(id);
    if (!r) {
      r = new RunReplay(this.policy.jobs);
      this.runs.set(id, r);
    }
    this.events++;
    r.feed(e);
    if (r.done) this.closeRun(id, r);
  }

  private closeRun(id: string, r: RunReplay): void {
    this.runs.delete(id);
    const job = r.job;
    if (!job || (this.scope.jobs && !this.scope.jobs.has(job)) || !inScope(this.scope.tenant, r.tenant)) return;
    const f = r.finish();
    const j = this.jobs.get(job) ?? { runs: 0, actual: zeroJobFigures(), whatIf: zeroJobFigures(), unknown: 0 };
    this.jobs.set(job, {
      runs: j.runs + 1,
      actual: addJobFigures(j.actual, f.actual),
      whatIf: addJobFigures(j.whatIf, f.whatIf),
      unknown: j.unknown + r.unknownOutcomes,
    });
  }

  result(): WhatIfComparison {
    for (const [id, r] of [...this.runs]) this.closeRun(id, r);
    const targets: TargetComparison[] = [];
    for (const [key, t] of [...this.targets].sort(([a], [b]) => a.localeCompare(b))) {
      if (!inScope(this.scope.tenant, t.tenant)) continue;
      const f = t.finish();
      if (t.relevant) targets.push({ key, ...f });
    }
    const jobs: JobComparison[] = [...this.jobs]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([job, j]) => ({ job, runs: j.runs, actual: j.actual, whatIf: j.whatIf, whatIfUnknownOutcomes: j.unknown }));
    return {
      targets,
      jobs,
      totals: {
        targets: {
          actual: targets.reduce((a, t) => addTargetFigures(a, t.actual), zeroTargetFigures()),
          whatIf: targets.reduce((a, t) => addTargetFigures(a, t.whatIf), zeroTargetFigures()),
        },
        jobs: {
          actual: jobs.reduce((a, j) => addJobFigures(a, j.actual), zeroJobFigures()),
          whatIf: jobs.reduce((a, j) => addJobFigures(a, j.whatIf), zeroJobFigures()),
          whatIfUnknownOutcomes: jobs.reduce((a, j) => a + j.whatIfUnknownOutcomes, 0),
        },
      },
      eventsReplayed: this.events,
    };
  }
}
