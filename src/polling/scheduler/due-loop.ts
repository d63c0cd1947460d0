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
import { type Lease, LeaseLost } from './partition-leases';
import type { PartitionOwnership } from './partition-ownership';
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
  readonly ownership: PartitionOwnership;
  readonly onOutcome?: (events: readonly TargetEvent[]) => void;
  readonly paused?: () => boolean;
  /** The hold check: targets it holds are not polled. */
  readonly holdFor?: (subject: TargetSubject, at: Date) => Hold | null;
}

const sorted = (ps: readonly number[]) => [...ps].sort((a, b) => a - b);

/**
 * The scheduler of this process, until `keepGoing` turns false: every POLL_LEASE_RENEW_MS a round
 * of lease upkeep (renew, rebalance, take free partitions and load their targets, drop lost ones);
 * meanwhile follow the log for other writers' changes and start each held target's poll when it
 * comes due, at most POLL_CONCURRENCY at a time. On the way out the polls in flight end (their
 * outcomes are recorded), then the leases are given back.
 */
export async function runDueLoop(d: DueLoopDeps, keepGoing: () => boolean, waker: LocalWaker): Promise<void> {
  const own = d.ownership;
  const targets = new ScheduledTargets(
    d.repo,
    () => d.clock.now().getTime(),
    () => waker.wake(),
    own.partitions,
  );
  const owner = own.leases.owner;
  const poll: RunPollDeps = { ...d, appender: new PollEventAppender(d.store, targets, d.stats, { owner, leaseOf: (p) => own.leaseOf(p) }) };
  let inFlight = 0;
  const drained = new LocalWaker();

  const head = await d.store.head();
  const sub = d.store.subscribe({
    from: head?.checkpoint ?? null,
    onBatch: (batch) => targets.onEvents(batch),
    onError: (err) => d.log.warn({ event: 'scheduler.subscription_error', err }, 'scheduler subscription error'),
  });

  const upkeep = async () => {
    const r = await own.round({
      busy: (p) => targets.busy(p),
      stopPolling: (ps) => targets.drop(ps),
      releasing: (ps, held) =>
        d.log.info(
          { event: 'scheduler.released', instanceId: INSTANCE_ID, owner, partitions: sorted(ps), held, reason: 'rebalance' },
          'poll scheduler lets partitions go',
        ),
    });
    if (r.error) d.log.warn({ event: 'scheduler.lease_error', owner, err: r.error }, 'could not reach the poll partition leases; retrying');
    if (r.lost.length) {
      targets.drop(r.lost);
      d.log.warn({ event: 'scheduler.lock_lost', instanceId: INSTANCE_ID, owner, partitions: sorted(r.lost), held: own.count }, 'lost poll partition leases');
    }
    if (r.acquired.length) {
      // Loaded beside the upkeep, so a slow load never delays the next renewal.
      const loading = load(r.acquired).finally(() => loads.delete(loading));
      loads.add(loading);
    }
  };

  const loads = new Set<Promise<void>>();
  const load = async (acquired: readonly Lease[]) => {
    const ps = sorted(acquired.map((l) => l.partition));
    const t0 = performance.now();
    targets.beginLoading(ps);
    try {
      const loaded = await d.repo.loadPartitions(ps, own.partitions, (key) => targets.partitionOf(key));
      // Lost meanwhile (a very slow load): not scheduled.
      const kept = acquired.filter((l) => own.leaseOf(l.partition)?.term === l.term).map((l) => l.partition);
      targets.abortLoading(ps.filter((p) => !kept.includes(p)));
      // Logged before the partitions become schedulable: a reader of the log (the chaos test's
      // one-owner check) must never see a probe of a partition before the line that took it.
      d.log.info(
        {
          event: 'scheduler.active',
          instanceId: INSTANCE_ID,
          owner,
          partitions: kept,
          terms: acquired.filter((l) => kept.includes(l.partition)).map((l) => l.term),
          held: own.count,
          targets: loaded.size,
          loadMs: Math.round(performance.now() - t0),
        },
        'poll scheduler took partitions',
      );
      await targets.finishLoading(kept, loaded);
    } catch (err) {
      targets.abortLoading(ps);
      targets.drop(ps);
      await own.release(ps).catch(() => undefined);
      d.log.error({ event: 'scheduler.failed', instanceId: INSTANCE_ID, owner, partitions: ps, err }, 'poll scheduler could not load partitions; let them go');
    }
    waker.wake();
  };

  const dispatchDue = (now: number) => {
    while (inFlight < d.cfg.concurrency && keepGoing()) {
      const due = targets.takeDue(now);
      if (!due) return;
      const { slot } = due;
      inFlight++;
      const run = own.termOf(slot.partition) === null ? Promise.reject(new LeaseLost(slot.partition)) : runPoll(slot, due.dueMs, poll);
      void run
        .catch((err) => {
          if (err instanceof LeaseLost) {
            d.stats.fenced++;
            slot.backoffUntil = d.clock.now().getTime() + d.cfg.leaseRenewMs;
            return;
          }
          d.log.error({ event: 'scheduler.poll_error', key: slot.key, err }, 'poll bookkeeping failed; retrying later');
          slot.backoffUntil = d.clock.now().getTime() + d.cfg.leaseRenewMs;
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
    const active = own.count > 0;
    const state = d.paused?.() ? 'paused' : quiet ? 'quiet_hours' : inFlight > 0 || pollsSinceReport > 0 ? 'working' : 'idle';
    await d.loops?.report(SCHEDULER_LOOP, active ? state : 'idle', d.cfg.reportMs, {
      ran: true,
      detail: {
        role: active ? 'active' : 'standby',
        inFlight,
        targets: targets.size,
        polls: d.stats.polls,
        pollsSinceReport,
        partitions: own.count,
        partitionsTotal: own.partitions,
      },
    });
  };

  let upkeeping: Promise<void> | null = null;
  let lastUpkeep = -Infinity;
  try {
    while (keepGoing()) {
      const now = d.clock.now().getTime();
      const mono = performance.now();
      if (!upkeeping && mono - lastUpkeep >= d.cfg.leaseRenewMs) {
        lastUpkeep = mono;
        upkeeping = upkeep()
          .catch((err) => d.log.error({ event: 'scheduler.failed', instanceId: INSTANCE_ID, owner, err }, 'poll partition upkeep failed'))
          .finally(() => (upkeeping = null));
      }
      const paused = d.paused?.() ?? false;
      if (!paused) dispatchDue(now);
      if (now - lastReport >= d.cfg.reportMs) {
        lastReport = now;
        void report(now).catch(() => undefined);
      }
      const next = targets.peekDueMs();
      const saturated = inFlight >= d.cfg.concurrency;
      const untilUpkeep = Math.max(0, lastUpkeep + d.cfg.leaseRenewMs - performance.now());
      const sleep = paused || saturated || next === null ? d.cfg.tickMs : Math.max(0, Math.min(d.cfg.tickMs, next - now));
      await waker.wait(Math.min(sleep, untilUpkeep));
    }
  } finally {
    await upkeeping;
    await Promise.all(loads);
    await sub.stop();
    // In-flight probes end within their timeout; their outcomes are still recorded.
    while (inFlight > 0) await drained.wait(d.cfg.tickMs);
    const held = sorted(own.list().map((l) => l.partition));
    if (held.length)
      d.log.info(
        { event: 'scheduler.released', instanceId: INSTANCE_ID, owner, partitions: held, held: 0, reason: 'stopping' },
        'poll scheduler lets its partitions go',
      );
    // Leave first, so the others' shares already count without this process when they see the partitions free.
    await own.leases.leave().catch(() => undefined);
    await own.release(held).catch(() => undefined);
    targets.clear();
  }
}
