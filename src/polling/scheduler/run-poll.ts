import type { Logger } from 'pino';
import type { PollingConfig } from '../../config/polling.env';
import type { Clock } from '../../shared/clock';
import type { TargetEvent } from '../events/target.events';
import { pollRules } from '../poll-rules';
import type { ProbeRegistry } from '../probes/probe-registry';
import { inQuietHours } from '../quiet-hours';
import { nextSlotFrom, PollPlan, planPoll, targetDecider } from '../target.decider';
import type { Hold, TargetSubject } from '../../pausing/holds';
import type { PollEventAppender } from './append-poll-events';
import { logPollEvents } from './poll-log';
import type { PollStats } from './poll-stats';
import type { TargetSlot } from './scheduled-targets';

export interface RunPollDeps {
  readonly probes: ProbeRegistry;
  readonly appender: PollEventAppender;
  readonly clock: Clock;
  readonly log: Logger;
  readonly cfg: PollingConfig;
  readonly random: () => number;
  readonly stats: PollStats;
  /** Sees the events of every recorded outcome and skip (metrics). */
  readonly onOutcome?: (events: readonly TargetEvent[]) => void;
  /** The hold check (src/pausing/holds.ts): a held target is not polled. */
  readonly holdFor?: (subject: TargetSubject, at: Date) => Hold | null;
}

/**
 * One poll of one due target, in one direction: plan (is it due, is it let through) → the events
 * that come before the probe (PollSkipped, or BreakerHalfOpened so half_open is visible while the
 * probe runs) → probe → the outcome, decided with every event that follows from it (poll result
 * with its next interval, breaker and dead-letter transitions) → one append → log.
 */
export async function runPoll(s: TargetSlot, dueMs: number, d: RunPollDeps): Promise<void> {
  const started = d.clock.now();
  const due = planPoll(s.state, started).action;
  if (due === 'none' || due === 'wait') return;
  // Held (its tenant's targets are paused…): no probe, no event, no breaker effect; it comes due
  // again at its next due time, so it resumes on its own cadence once the hold is lifted.
  if (s.state && d.holdFor?.({ tenant: s.state.spec.tenant ?? null, target: s.key }, started)) {
    s.heldUntil = nextSlotFrom(s.state, started.getTime() + 1, pollRules(d.cfg).defaultIntervalMs);
    return;
  }
  s.heldUntil = 0;
  const quiet = inQuietHours(started, d.cfg.quietHours, d.cfg.quietHoursTz);
  const decider = targetDecider({ rules: pollRules(d.cfg), random: d.random, intervalFactor: quiet ? d.cfg.quietHoursFactor : 1 });

  // The plan is the one of the state the opening events were decided on (re-decided after a conflict).
  let plan = { action: 'none' } as PollPlan;
  const opening = await d.appender.append(s, (state) => {
    plan = planPoll(state, started);
    return decider.decide({ type: 'StartPoll', key: s.key, at: started }, state);
  });
  logPollEvents(d.log, s.key, opening);
  if (plan.action === 'skip' && opening.length) {
    d.stats.skips++;
    d.onOutcome?.(opening);
  }
  const target = s.state;
  if (plan.action !== 'probe' || !target) return;

  d.stats.lateness.add(Math.max(0, started.getTime() - dueMs));
  const result = await d.probes.run({ key: target.key, probe: target.spec.probe }, target.spec.probe.timeoutMs ?? d.cfg.timeoutMs);
  const finished = d.clock.now();
  d.stats.polls++;

  const outcome = {
    type: 'RecordPollOutcome',
    key: s.key,
    at: finished,
    result,
    startedAt: started,
    finishedAt: finished,
    dueAt: new Date(dueMs),
    trigger: plan.trigger,
  } as const;
  const events = await d.appender.append(s, (state) => (state ? decider.decide(outcome, state) : []));
  logPollEvents(d.log, s.key, events);
  d.onOutcome?.(events);
}
