import { Decider, Decision, isRejection, reject, Rejection } from '../shared/decider';
import { chooseInterval } from './adaptive-interval';
import { decideBreaker } from './breaker.decider';
import { decideDeadLetter } from './dead-letter.decider';
import type { PollFailed, PollSucceeded, PollTrigger } from './events/poll-outcome.events';
import type { TargetEvent } from './events/target.events';
import { dueMs, nextDueMs, policyAdmits } from './next-due';
import type { PollRules } from './poll-rules';
import type { ProbeResult } from './probes/probe';
import { canonicalSpec, FreshnessObjective, TargetSource, TargetSpec, targetKey } from './events/target-spec';
import { evolveTarget, initialTargetState, TargetState } from './target.state';

export interface DecideContext {
  readonly rules: PollRules;
  readonly random: () => number;
  /** Quiet-hours interval multiplier (1 outside quiet hours). */
  readonly intervalFactor: number;
}

/** Every command but a registration names the target it is for (its key, `type::name`). */
type On<T> = T & { readonly key: string; readonly at: Date };

export type TargetCommand =
  | { readonly type: 'RegisterTarget'; readonly spec: TargetSpec; readonly source: TargetSource; readonly at: Date }
  | On<{ readonly type: 'ChangeTarget'; readonly spec: TargetSpec }>
  /**
   * Pause polling. `strict` (the pause endpoint): pausing a paused target is a conflict, as for the
   * other pauses; without it (PATCH {"paused": true}) it changes nothing.
   */
  | On<{ readonly type: 'PauseTarget'; readonly reason?: string; readonly actor?: string; readonly resumeAt?: string | null; readonly strict?: boolean }>
  | On<{ readonly type: 'ResumeTarget'; readonly reason?: string; readonly actor?: string; readonly strict?: boolean }>
  /** The system records that the pause ran out at its resumeAt (nothing before it, or when not paused). */
  | On<{ readonly type: 'ExpireTargetPause' }>
  | On<{ readonly type: 'RemoveTarget' }>
  | On<{ readonly type: 'RequestPoll' }>
  | On<{ readonly type: 'RedriveTarget' }>
  | On<{ readonly type: 'ResetBreaker' }>
  | On<{ readonly type: 'SetFreshnessObjective'; readonly objective: FreshnessObjective }>
  | On<{ readonly type: 'ClearFreshnessObjective' }>
  /**
   * The scheduler takes a due poll up (see planPoll): the events that come before its probe, in
   * their own append so they are visible while it runs: PollSkipped when the open breaker keeps it
   * shut, BreakerHalfOpened when one probe is let through; none otherwise.
   */
  | On<{ readonly type: 'StartPoll' }>
  /** An open breaker lets one probe through (forced: whatever its retryAt). */
  | On<{ readonly type: 'AdmitProbe'; readonly force: boolean }>
  /** A scheduled poll came due while the breaker is open. */
  | On<{ readonly type: 'SkipPoll' }>
  /** The probe's result: every event of the poll (outcome with its interval, breaker and dead-letter transitions), for one append. */
  | On<{
      readonly type: 'RecordPollOutcome';
      readonly result: ProbeResult;
      readonly startedAt: Date;
      readonly finishedAt: Date;
      readonly dueAt: Date;
      readonly trigger: PollTrigger;
    }>;

/**
 * A fixed interval below POLL_MIN_INTERVAL_SECONDS would poll one target as fast as the scheduler
 * can (0.01 s is about 32 polls a second, forever); adaptive intervals are clamped already.
 * Returns the problem with intervalSeconds, or null.
 */
export function fixedIntervalProblem(
  spec: Pick<TargetSpec, 'intervalSeconds' | 'adaptive'>,
  rules: Pick<PollRules, 'adaptiveEnabled' | 'minIntervalMs'>,
): string | null {
  const fixed = !rules.adaptiveEnabled || spec.adaptive === false;
  if (!fixed || spec.intervalSeconds === undefined || spec.intervalSeconds * 1000 >= rules.minIntervalMs) return null;
  return `a fixed interval must be at least POLL_MIN_INTERVAL_SECONDS (${rules.minIntervalMs / 1000} s); use a longer interval or adaptive polling`;
}

/**
 * A fixed interval as long as the freshness objective's maxAgeSeconds can never keep the target
 * fresh (adaptive intervals are capped below it instead: see freshnessCapMs). Returns the problem
 * with freshness.maxAgeSeconds, or null.
 */
export function freshnessProblem(
  spec: Pick<TargetSpec, 'intervalSeconds' | 'adaptive' | 'freshness'>,
  rules: Pick<PollRules, 'adaptiveEnabled' | 'defaultIntervalMs'>,
): string | null {
  if (!spec.freshness || (rules.adaptiveEnabled && spec.adaptive !== false)) return null;
  const intervalMs = spec.intervalSeconds !== undefined ? spec.intervalSeconds * 1000 : rules.defaultIntervalMs;
  if (spec.freshness.maxAgeSeconds * 1000 > intervalMs) return null;
  return `must be more than the fixed poll interval (${intervalMs / 1000} s), else the target can never be fresh`;
}

/** Under adaptive polling a target with a freshness objective is polled at least every maxAgeSeconds / 2, so one failed poll still leaves a retry before it goes stale. */
export const freshnessCapMs = (spec: TargetSpec, rules: Pick<PollRules, 'minIntervalMs' | 'maxIntervalMs'>): number =>
  spec.freshness ? Math.max(rules.minIntervalMs, Math.min(rules.maxIntervalMs, (spec.freshness.maxAgeSeconds * 1000) / 2)) : rules.maxIntervalMs;

const intervalRejection = (spec: TargetSpec, rules: PollRules): Rejection | null => {
  const problem = fixedIntervalProblem(spec, rules);
  if (problem) return reject('invalid', problem, 'intervalSeconds');
  const freshness = freshnessProblem(spec, rules);
  return freshness ? reject('invalid', freshness, 'freshness.maxAgeSeconds') : null;
};

/** What the scheduler should do with a target now. */
export type PollPlan =
  | { readonly action: 'none' }
  | { readonly action: 'wait'; readonly until: number }
  | { readonly action: 'skip' }
  | { readonly action: 'probe'; readonly trigger: PollTrigger; readonly halfOpen: boolean };

/** Not yet due (nextDueMs) → wait; due but shut by the policy (an open breaker) → skip; else probe, half-opening an open breaker first. */
export function planPoll(s: TargetState | null, now: Date): PollPlan {
  const due = nextDueMs(s);
  if (!s || due === null) return { action: 'none' };
  if (now.getTime() < due) return { action: 'wait', until: due };
  if (!policyAdmits(s, now)) return { action: 'skip' };
  const trigger: PollTrigger = s.forceNext ? 'requested' : s.deadLetter ? 'dead_letter_retry' : s.breaker.state === 'closed' ? 'schedule' : 'half_open';
  return { action: 'probe', trigger, halfOpen: s.breaker.state === 'open' };
}

const iso = (d: Date) => d.toISOString();

const pausedText = (s: TargetState) =>
  s.pause
    ? `by ${s.pause.by} since ${s.pause.since}${s.pause.resumeAt ? ` until ${s.pause.resumeAt}` : ''}: "${s.pause.reason}"`
    : 'since before reasons were recorded';

/**
 * The target's next due time at or after `fromMs`: its due time moved on by whole intervals (its
 * last chosen interval, else its own, else the default), so a resumed or released target keeps
 * its cadence instead of every held target polling at the same instant.
 */
export function nextSlotFrom(s: TargetState, fromMs: number, defaultIntervalMs: number): number {
  const due = dueMs(s);
  if (due >= fromMs) return due;
  const every = s.intervalMs ?? (s.spec.intervalSeconds !== undefined ? s.spec.intervalSeconds * 1000 : defaultIntervalMs);
  if (!(every > 0)) return fromMs;
  return due + Math.ceil((fromMs - due) / every) * every;
}

/**
 * The one place a target's rules live: command + current state → the events that follow, or a
 * Rejection. Every event of a target with a tenant carries that `tenant` in its data (the tenant
 * the target has once the event applies, as its folded spec says), so the timeline finds a
 * tenant's target events as it finds its run events, and agrees with the `?at=` and what-if
 * views, which read spec.tenant.
 */
export const targetDecider = (ctx: DecideContext): Decider<TargetState | null, TargetCommand, TargetEvent> => ({
  initialState: initialTargetState,
  evolve: evolveTarget,
  decide(cmd, s) {
    const decision = decide(cmd, s, ctx);
    const tenant = cmd.type === 'RegisterTarget' || cmd.type === 'ChangeTarget' ? cmd.spec.tenant : s?.spec.tenant;
    if (isRejection(decision) || !tenant) return decision;
    return decision.map((e) => ({ ...e, data: { ...e.data, tenant } }) as unknown as TargetEvent);
  },
});

function decide(cmd: TargetCommand, s: TargetState | null, ctx: DecideContext): Decision<TargetEvent> {
  const at = iso(cmd.at);
  if (cmd.type === 'RegisterTarget') {
    const key = targetKey(cmd.spec.type, cmd.spec.name);
    if (s) return reject('conflict', `target ${key} is already registered`);
    return intervalRejection(cmd.spec, ctx.rules) ?? [{ type: 'TargetRegistered', data: { key, spec: cmd.spec, source: cmd.source, at } }];
  }
  if (!s) return reject('not_found', `no target ${cmd.key}`);
  const key = s.key;
  switch (cmd.type) {
    case 'ChangeTarget':
      if (canonicalSpec(cmd.spec) === canonicalSpec(s.spec)) return [];
      return intervalRejection(cmd.spec, ctx.rules) ?? [{ type: 'TargetChanged', data: { key, spec: cmd.spec, previous: s.spec, at } }];
    case 'PauseTarget': {
      if (cmd.resumeAt != null && Date.parse(cmd.resumeAt) <= cmd.at.getTime()) return reject('invalid', 'must be in the future', 'resumeAt');
      if (s.paused) return cmd.strict ? reject('conflict', `target ${key} is paused already (${pausedText(s)}); resume it first`) : [];
      const resumeAt = cmd.resumeAt == null ? null : new Date(cmd.resumeAt).toISOString();
      const who = cmd.actor === undefined ? {} : { reason: cmd.reason ?? '', pausedBy: cmd.actor, resumeAt };
      return [{ type: 'TargetPaused', data: { key, at, ...who } }];
    }
    case 'ResumeTarget': {
      if (!s.paused) return cmd.strict ? reject('conflict', `target ${key} is not paused`) : [];
      const who = cmd.actor === undefined ? {} : { reason: cmd.reason ?? '', resumedBy: cmd.actor };
      // The resume endpoint keeps the target's cadence; PATCH {"paused": false} polls at once, as it always has.
      const next = cmd.strict ? iso(new Date(nextSlotFrom(s, cmd.at.getTime(), ctx.rules.defaultIntervalMs))) : at;
      return [{ type: 'TargetResumed', data: { key, at, nextPollAt: next, ...who } }];
    }
    case 'ExpireTargetPause': {
      const until = s.paused ? s.pause?.resumeAt : null;
      if (!until || Date.parse(until) > cmd.at.getTime()) return [];
      const nextPollAt = iso(new Date(nextSlotFrom(s, Math.max(Date.parse(until), cmd.at.getTime()), ctx.rules.defaultIntervalMs)));
      return [{ type: 'TargetResumed', data: { key, at: until, nextPollAt, reason: 'resumeAt reached', resumedBy: 'system', auto: true } }];
    }
    case 'RemoveTarget':
      return [{ type: 'TargetRemoved', data: { key, at } }];
    case 'RequestPoll':
      if (s.paused) return reject('conflict', `target ${key} is paused; resume it first`);
      return [{ type: 'PollRequested', data: { key, at } }];
    case 'RedriveTarget':
      if (!s.deadLetter) return reject('conflict', `target ${key} is not dead-lettered`);
      return [{ type: 'TargetRedriven', data: { key, at, previousReason: s.deadLetter.reason, retryCount: s.deadLetter.retryCount } }];
    case 'SetFreshnessObjective': {
      if (s.spec.freshness && canonicalSpec({ ...s.spec, freshness: cmd.objective }) === canonicalSpec(s.spec)) return [];
      const problem = freshnessProblem({ ...s.spec, freshness: cmd.objective }, ctx.rules);
      if (problem) return reject('invalid', problem, 'maxAgeSeconds');
      return [{ type: 'FreshnessObjectiveSet', data: { key, at, objective: cmd.objective, previous: s.spec.freshness ?? null } }];
    }
    case 'ClearFreshnessObjective':
      if (!s.spec.freshness) return reject('not_found', `target ${key} has no freshness objective`);
      return [{ type: 'FreshnessObjectiveCleared', data: { key, at, previous: s.spec.freshness } }];
    case 'ResetBreaker':
      return [
        { type: 'BreakerReset', data: { key, at, previousState: s.breaker.state, since: at, lastTransition: at, retryAt: null, failureCount: 0, trips: 0 } },
      ];
    case 'StartPoll': {
      const plan = planPoll(s, cmd.at);
      if (plan.action === 'skip') return decide({ type: 'SkipPoll', key, at: cmd.at }, s, ctx);
      if (plan.action !== 'probe' || !plan.halfOpen) return [];
      return decide({ type: 'AdmitProbe', key, at: cmd.at, force: plan.trigger === 'requested' || plan.trigger === 'dead_letter_retry' }, s, ctx);
    }
    case 'AdmitProbe':
      return decideBreaker({ type: 'AdmitProbe', key, config: ctx.rules.breaker, at: cmd.at, force: cmd.force }, s.breaker);
    case 'SkipPoll':
      if (s.breaker.state !== 'open' || !s.breaker.retryAt) return [];
      return [{ type: 'PollSkipped', data: { key, at, reason: 'breaker_open', retryAt: s.breaker.retryAt, nextPollAt: s.breaker.retryAt } }];
    case 'RecordPollOutcome':
      return decideOutcome(cmd, s, ctx);
  }
}

function decideOutcome(cmd: Extract<TargetCommand, { type: 'RecordPollOutcome' }>, s: TargetState, ctx: DecideContext): TargetEvent[] {
  const { result, startedAt, finishedAt } = cmd;
  const ok = result.ok;
  const category = result.ok ? undefined : result.category;
  const consecutiveFailures = ok ? 0 : s.consecutiveFailures + 1;
  const firstFailureAt = ok ? null : (s.firstFailureAt ?? iso(startedAt));
  const transitions: TargetEvent[] = [
    ...decideBreaker({ type: 'RecordOutcome', key: s.key, config: ctx.rules.breaker, ok, at: finishedAt, category }, s.breaker),
    ...decideDeadLetter(
      {
        type: 'RecordOutcome',
        key: s.key,
        config: ctx.rules.deadLetter,
        ok,
        category,
        attemptAt: startedAt,
        at: finishedAt,
        consecutiveFailures,
        firstFailureAt,
      },
      s.deadLetter,
    ),
  ];
  const after = transitions.reduce<TargetState>((st, e) => evolveTarget(st, e)!, s);
  const interval = chooseInterval({
    now: startedAt,
    lastSuccess: ok ? iso(startedAt) : s.lastSuccess,
    recentErrors: consecutiveFailures,
    previousMs: s.intervalMs,
    baseMs: s.spec.intervalSeconds !== undefined ? s.spec.intervalSeconds * 1000 : ctx.rules.defaultIntervalMs,
    minMs: ctx.rules.minIntervalMs,
    maxMs: freshnessCapMs(s.spec, ctx.rules),
    adaptive: ctx.rules.adaptiveEnabled && s.spec.adaptive !== false,
    factor: ctx.intervalFactor,
    random: ctx.random,
  });
  // A dead-lettered target waits for its retry (and an open breaker), an open breaker for its retryAt, others for the interval.
  const retryAt = after.breaker.state === 'open' && after.breaker.retryAt ? Date.parse(after.breaker.retryAt) : null;
  const nextMs = after.deadLetter ? Math.max(Date.parse(after.deadLetter.nextRetry), retryAt ?? 0) : (retryAt ?? startedAt.getTime() + interval.chosenMs);
  const nextPollAt = new Date(nextMs).toISOString();
  const common = {
    key: s.key,
    at: iso(startedAt),
    durationMs: result.durationMs,
    statusCode: result.statusCode,
    trigger: cmd.trigger,
    dueAt: iso(cmd.dueAt),
    interval,
    nextPollAt,
  };
  const poll: PollSucceeded | PollFailed = result.ok
    ? { type: 'PollSucceeded', data: common }
    : { type: 'PollFailed', data: { ...common, failureKind: result.failureKind, category: result.category, message: result.message, consecutiveFailures } };
  return [poll, ...transitions];
}
