import { evolveTarget, TargetState } from './target.state';
import { chooseInterval } from './adaptive-interval';
import { BreakerConfig, breakerAdmits, decideBreaker } from './breaker.decider';
import { DeadLetterConfig, decideDeadLetter } from './dead-letter.decider';
import type { PollFailed, PollSucceeded, PollTrigger } from './events/poll-outcome.events';
import type { TargetEvent } from './events/target.events';
import type { ProbeResult } from './probes/probe';
import { canonicalSpec, TargetSource, TargetSpec, targetKey } from './target-spec';

export interface PollRules {
  readonly breaker: BreakerConfig;
  readonly deadLetter: DeadLetterConfig;
  readonly adaptiveEnabled: boolean;
  readonly defaultIntervalMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
}

export interface DecideContext {
  readonly rules: PollRules;
  readonly random: () => number;
  /** Quiet-hours interval multiplier (1 outside quiet hours). */
  readonly intervalFactor: number;
}

export type TargetCommand =
  | { readonly type: 'RegisterTarget'; readonly spec: TargetSpec; readonly source: TargetSource; readonly at: Date }
  | { readonly type: 'ChangeTarget'; readonly spec: TargetSpec; readonly at: Date }
  | { readonly type: 'PauseTarget'; readonly at: Date }
  | { readonly type: 'ResumeTarget'; readonly at: Date }
  | { readonly type: 'RemoveTarget'; readonly at: Date }
  | { readonly type: 'RequestPoll'; readonly at: Date }
  | { readonly type: 'RedriveTarget'; readonly at: Date }
  | { readonly type: 'ResetBreaker'; readonly at: Date }
  /** The scheduler is about to probe: half-open an open breaker first (its own append, so half_open is visible). */
  | { readonly type: 'AdmitProbe'; readonly at: Date; readonly force: boolean }
  /** A scheduled poll came due while the breaker is open. */
  | { readonly type: 'SkipPoll'; readonly at: Date }
  | { readonly type: 'RecordPollOutcome'; readonly at: Date; readonly result: ProbeResult; readonly startedAt: Date; readonly finishedAt: Date; readonly dueAt: Date; readonly trigger: PollTrigger };

export class TargetRejected extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'bad_input',
    message: string,
    /** The field at fault, for bad_input. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * A fixed interval below POLL_MIN_INTERVAL_SECONDS would poll one target as fast as the scheduler
 * can (0.01 s is about 32 polls a second, forever); adaptive intervals are clamped already.
 * Returns the problem with intervalSeconds, or null.
 */
export function fixedIntervalProblem(spec: Pick<TargetSpec, 'intervalSeconds' | 'adaptive'>, rules: Pick<PollRules, 'adaptiveEnabled' | 'minIntervalMs'>): string | null {
  const fixed = !rules.adaptiveEnabled || spec.adaptive === false;
  if (!fixed || spec.intervalSeconds === undefined || spec.intervalSeconds * 1000 >= rules.minIntervalMs) return null;
  return `a fixed interval must be at least POLL_MIN_INTERVAL_SECONDS (${rules.minIntervalMs / 1000} s); use a longer interval or adaptive polling`;
}

function checkInterval(spec: TargetSpec, rules: PollRules): void {
  const problem = fixedIntervalProblem(spec, rules);
  if (problem) throw new TargetRejected('bad_input', problem, 'intervalSeconds');
}

/** What the scheduler should do with a target now. */
export type PollPlan =
  | { readonly action: 'none' }
  | { readonly action: 'wait'; readonly until: number }
  | { readonly action: 'skip' }
  | { readonly action: 'probe'; readonly trigger: PollTrigger; readonly halfOpen: boolean };

export function planPoll(s: TargetState | null, now: Date): PollPlan {
  if (!s || s.paused) return { action: 'none' };
  const halfOpen = s.breaker.state === 'open';
  if (s.forceNext) return { action: 'probe', trigger: 'requested', halfOpen };
  const t = now.getTime();
  if (s.deadLetter) {
    const until = Date.parse(s.deadLetter.nextRetry);
    return t < until ? { action: 'wait', until } : { action: 'probe', trigger: 'dead_letter_retry', halfOpen };
  }
  if (t < s.nextDueMs) return { action: 'wait', until: s.nextDueMs };
  if (s.breaker.state === 'open') return breakerAdmits(s.breaker, now) ? { action: 'probe', trigger: 'half_open', halfOpen } : { action: 'skip' };
  return { action: 'probe', trigger: s.breaker.state === 'half_open' ? 'half_open' : 'schedule', halfOpen: false };
}

const iso = (d: Date) => d.toISOString();

/**
 * The one place a target's rules live: command + current state → the events that follow. Every
 * event of a target with a tenant carries that `tenant` in its data (the tenant the target has
 * once the event applies, as its folded spec says), so the timeline finds a tenant's target events
 * as it finds its run events, and agrees with the `?at=` and what-if views, which read spec.tenant.
 */
export function decideTarget(cmd: TargetCommand, s: TargetState | null, ctx: DecideContext): TargetEvent[] {
  const events = decide(cmd, s, ctx);
  const tenant = cmd.type === 'RegisterTarget' || cmd.type === 'ChangeTarget' ? cmd.spec.tenant : s?.spec.tenant;
  return tenant ? events.map((e) => ({ ...e, data: { ...e.data, tenant } }) as unknown as TargetEvent) : events;
}

function decide(cmd: TargetCommand, s: TargetState | null, ctx: DecideContext): TargetEvent[] {
  const at = iso(cmd.at);
  if (cmd.type === 'RegisterTarget') {
    const key = targetKey(cmd.spec.type, cmd.spec.name);
    if (s) throw new TargetRejected('conflict', `target ${key} is already registered`);
    checkInterval(cmd.spec, ctx.rules);
    return [{ type: 'TargetRegistered', data: { key, spec: cmd.spec, source: cmd.source, at } }];
  }
  if (!s) throw new TargetRejected('not_found', 'no such target');
  const key = s.key;
  switch (cmd.type) {
    case 'ChangeTarget':
      if (canonicalSpec(cmd.spec) === canonicalSpec(s.spec)) return [];
      checkInterval(cmd.spec, ctx.rules);
      return [{ type: 'TargetChanged', data: { key, spec: cmd.spec, previous: s.spec, at } }];
    case 'PauseTarget':
      return s.paused ? [] : [{ type: 'TargetPaused', data: { key, at } }];
    case 'ResumeTarget':
      return s.paused ? [{ type: 'TargetResumed', data: { key, at, nextPollAt: at } }] : [];
    case 'RemoveTarget':
      return [{ type: 'TargetRemoved', data: { key, at } }];
    case 'RequestPoll':
      if (s.paused) throw new TargetRejected('conflict', `target ${key} is paused; resume it first`);
      return [{ type: 'PollRequested', data: { key, at } }];
    case 'RedriveTarget':
      if (!s.deadLetter) throw new TargetRejected('conflict', `target ${key} is not dead-lettered`);
      return [{ type: 'TargetRedriven', data: { key, at, previousReason: s.deadLetter.reason, retryCount: s.deadLetter.retryCount } }];
    case 'ResetBreaker':
      return [{ type: 'BreakerReset', data: { key, at, previousState: s.breaker.state, since: at, lastTransition: at, retryAt: null, failureCount: 0, trips: 0 } }];
    case 'AdmitProbe':
      return decideBreaker({ type: 'AdmitProbe', at: cmd.at, force: cmd.force }, s.breaker, key, ctx.rules.breaker);
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
  const consecutiveFailures = ok ? 0 : s.consecutiveFailures + 1;
  const firstFailureAt = ok ? null : (s.firstFailureAt ?? iso(startedAt));
  const transitions: TargetEvent[] = [
    ...decideBreaker({ type: 'RecordOutcome', ok, at: finishedAt, category: result.ok ? undefined : result.category }, s.breaker, s.key, ctx.rules.breaker),
    ...decideDeadLetter(
      { type: 'RecordOutcome', ok, category: result.ok ? undefined : result.category, attemptAt: startedAt, at: finishedAt, consecutiveFailures, firstFailureAt },
      s.deadLetter,
      s.key,
      ctx.rules.deadLetter,
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
    maxMs: ctx.rules.maxIntervalMs,
    adaptive: ctx.rules.adaptiveEnabled && s.spec.adaptive !== false,
    factor: ctx.intervalFactor,
    random: ctx.random,
  });
  // A dead-lettered target waits for its retry (and an open breaker), an open breaker for its retryAt, others for the interval.
  const retryAt = after.breaker.state === 'open' && after.breaker.retryAt ? Date.parse(after.breaker.retryAt) : null;
  const nextMs = after.deadLetter ? Math.max(Date.parse(after.deadLetter.nextRetry), retryAt ?? 0) : (retryAt ?? startedAt.getTime() + interval.chosenMs);
  const nextPollAt = new Date(nextMs).toISOString();
  const common = { key: s.key, at: iso(startedAt), durationMs: result.durationMs, statusCode: result.statusCode, trigger: cmd.trigger, dueAt: iso(cmd.dueAt), interval, nextPollAt };
  const poll: PollSucceeded | PollFailed = result.ok
    ? { type: 'PollSucceeded', data: common }
    : { type: 'PollFailed', data: { ...common, failureKind: result.failureKind, category: result.category, message: result.message, consecutiveFailures } };
  return [poll, ...transitions];
}
