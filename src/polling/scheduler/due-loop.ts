import type { Logger } from 'pino';
import type { PollingConfig } from '../../config/polling.env';
import type { EventStore } from '../../event-store/event-store.port';
import { INSTANCE_ID, type LoopStateService } from '../../database/loop-state.service';
import type { Clock } from '../../shared/clock';
import { LocalWaker } from '../../shared/waker';
import type { TargetEvent } from '../events/target.events';
import type { Hold, TargetSubject } from '../../pausing/holds';
import type { ProbeRegistry } from '../probes/probe-registry';
import { inQuietHours } from '../quiet-hours';
import type { TargetRepository } from '../target-repository';
import { PollEventAppender } from './append-poll-events';
import type { PollStats } from './poll-stats';
import { runPoll, RunPollDeps } from './run-poll';
import { ScheduledTargets } from './scheduled-targets';

export const SCHEDULER_LOOP = 'poll-scheduler';

export interface DueLoopDeps {
  readonly store: EventStore;
  readonly repo: TargetRepository;
  readonly probes: ProbeRegistry;
  readonly loops: LoopStateService | null;
  readonly clock: Clock;
  readonly log: Logger;
  readonly cfg: PollingConfig;
  readonly random: () => number;
  readonly stats: PollStats;
  readonly onOutcome?: (events: readonly TargetEvent[]) => void;
  readonly paused?: () => boolean;
  /** The hold check: targets it holds are not polled. */
  readonly holdFor?: (subject: TargetSubject, at: Date) => Hold | null;
}

/**
 * One term of the active scheduler: load every target, follow the log for other writers' changes,
 * and start each target's poll when it comes due, at most POLL_CONCURRENCY at a time, until
 * `keepGoing` turns false. Returns once the polls in flight have ended (their outcomes are
 * recorded).
 */
export async function runDueLoop(d: DueLoopDeps, keepGoing: () => boolean, waker: LocalWaker): Promise<void> {
  const targets = new ScheduledTargets(
    d.repo,
    () => d.clock.now().getTime(),
    () => waker.wake(),
  );
  const poll: RunPollDeps = { ...d, appender: new PollEventAppender(d.store, targets, d.stats) };
  let inFlight = 0;
  const drained = new LocalWaker();

  const t0 = performance.now();
  const head = await d.store.head();
  targets.load(await d.repo.loadAll());
  d.log.info(
    { event: 'scheduler.active', instanceId: INSTANCE_ID, targets: targets.size, loadMs: Math.round(performance.now() - t0) },
    'poll scheduler active',
  );
  const sub = d.store.subscribe({
    from: head?.checkpoint ?? null,
    onBatch: (batch) => targets.onEvents(batch),
    onError: (err) => d.log.warn({ event: 'scheduler.subscription_error', err }, 'scheduler subscription error'),
  });

  const dispatchDue = (now: number) => {
    while (inFlight < d.cfg.concurrency && keepGoing()) {
      const due = targets.takeDue(now);
      if (!due) return;
      const { slot } = due;
      inFlight++;
      void runPoll(slot, due.dueMs, poll)
        .catch((err) => {
          d.log.error({ event: 'scheduler.poll_error', key: slot.key, err }, 'poll bookkeeping failed; retrying later');
          slot.backoffUntil = d.clock.now().getTime() + d.cfg.lockRetryMs;
          slot.seenRevision = slot.revision + 1n; // reload before the next attempt
        })
        .finally(() =>
          targets
            .release(slot, (err) => d.log.warn({ event: 'scheduler.reload_failed', key: slot.key, err }, 'reload failed'))
            .finally(() => {
              inFlight--;
              waker.wake();
              if (inFlight === 0) drained.wake();
            }),
        );
    }
  };

  let lastReport = 0;
  let pollsReported = d.stats.polls;
  const report = async (now: number) => {
    const quiet = inQuietHours(new Date(now), d.cfg.quietHours, d.cfg.quietHoursTz);
    const pollsSinceReport = d.stats.polls - pollsReported;
    pollsReported = d.stats.polls;
    const state = d.paused?.() ? 'paused' : quiet ? 'quiet_hours' : inFlight > 0 || pollsSinceReport > 0 ? 'working' : 'idle';
    await d.loops?.report(SCHEDULER_LOOP, state, d.cfg.reportMs, {
      ran: true,
      detail: { role: 'active', inFlight, targets: targets.size, polls: d.stats.polls, pollsSinceReport },
    });
  };

  try {
    while (keepGoing()) {
      const now = d.clock.now().getTime();
      const paused = d.paused?.() ?? false;
      if (!paused) dispatchDue(now);
      if (now - lastReport >= d.cfg.reportMs) {
        lastReport = now;
        void report(now).catch(() => undefined);
      }
      const next = targets.peekDueMs();
      const saturated = inFlight >= d.cfg.concurrency;
      await waker.wait(paused || saturated || next === null ? d.cfg.tickMs : Math.max(0, Math.min(d.cfg.tickMs, next - now)));
    }
  } finally {
    await sub.stop();
    // In-flight probes end within their timeout; their outcomes are still recorded.
    while (inFlight > 0) await drained.wait(d.cfg.tickMs);
    targets.clear();
  }
}
