import { schedulerHealthView } from '../../src/health/scheduler-health.view';
import type { TargetEvent } from '../../src/polling/events/target.events';
import { ScheduledTargets } from '../../src/polling/scheduler/scheduled-targets';
import type { TargetRepository } from '../../src/polling/target-repository';
import { planPoll } from '../../src/polling/target.decider';
import { evolveTarget, TargetState } from '../../src/polling/target.state';
import { targetView } from '../../src/polling/target.view';

const t0 = Date.parse('2025-10-20T13:00:00.000Z');
const iso = (ms: number) => new Date(t0 + ms).toISOString();
const spec = (name: string) => ({ type: 'instance', name, probe: { kind: 'http', url: 'http://127.0.0.1:9/ping' } });

/** Targets in every state that moves the due time: plain, open breaker, dead-lettered, forced on top of either, paused. */
function target(name: string, ...more: ((key: string) => TargetEvent)[]): TargetState {
  const key = `instance::${name}`;
  const events: TargetEvent[] = [{ type: 'TargetRegistered', data: { key, spec: spec(name), source: 'api', at: iso(0) } }, ...more.map((m) => m(key))];
  return events.reduce<TargetState | null>(evolveTarget, null)!;
}
const opened = (key: string): TargetEvent => ({
  type: 'BreakerOpened',
  data: { key, since: iso(1), lastTransition: iso(1), retryAt: iso(60_000), failureCount: 5, trips: 1 },
});
const skipped = (key: string): TargetEvent => ({
  type: 'PollSkipped',
  data: { key, at: iso(2), reason: 'breaker_open', retryAt: iso(60_000), nextPollAt: iso(60_000) },
});
const deadLettered = (key: string): TargetEvent => ({
  type: 'TargetDeadLettered',
  data: { key, at: iso(1), reason: 'permanent_failure', firstAttempt: iso(1), lastAttempt: iso(1), retryCount: 0, nextRetry: iso(300_000) },
});
const requested = (key: string): TargetEvent => ({ type: 'PollRequested', data: { key, at: iso(20) } });
const paused = (key: string): TargetEvent => ({ type: 'TargetPaused', data: { key, at: iso(3) } });

const targets = [
  target('plain'),
  target('open', opened, skipped),
  target('dead', deadLettered),
  target('dead-forced', deadLettered, requested),
  target('open-forced', opened, skipped, requested),
  target('paused', deadLettered, paused),
];

/** The keys the scheduler's due heap hands out by `now` (nothing reloads here, so no repository is reached). */
async function takenBy(now: number): Promise<string[]> {
  const scheduled = new ScheduledTargets(
    null as unknown as TargetRepository,
    () => now,
    () => undefined,
    1,
  );
  scheduled.beginLoading([0]);
  await scheduled.finishLoading([0], new Map(targets.map((t) => [t.key, { state: t, revision: 1n }])));
  const out: string[] = [];
  for (let d = scheduled.takeDue(now); d; d = scheduled.takeDue(now)) out.push(d.slot.key);
  return out.sort();
}

describe('one next-due time: the scheduler, scheduler health and the target API agree', () => {
  it.each([20, 59_999, 60_000, 300_000])(
    'at +%i ms, the targets the scheduler takes up are those scheduler health counts due and planPoll does not hold back',
    async (ms) => {
      const now = t0 + ms;
      const taken = await takenBy(now);
      const planned = targets
        .filter((t) => !['none', 'wait'].includes(planPoll(t, new Date(now)).action))
        .map((t) => t.key)
        .sort();
      expect(taken).toEqual(planned);
      const health = schedulerHealthView(targets, new Date(now), { adaptiveEnabled: true, maxIntervalMs: 300_000, dueWindowSeconds: 0 });
      expect(health.queue.dueWithinSeconds).toBe(taken.length);
    },
  );

  it('a poll-now on a dead-lettered target: taken up at its request time, and the API shows that time as nextPollAt', async () => {
    expect(await takenBy(t0 + 20)).toEqual(['instance::dead-forced', 'instance::open-forced', 'instance::plain']);
    const dead = targets.find((t) => t.name === 'dead-forced')!;
    expect(targetView(dead).nextPollAt).toBe('2025-10-20T13:00:00Z'); // +20 ms, to the second; its retry is 5 min away
    expect(planPoll(dead, new Date(t0 + 20))).toEqual({ action: 'probe', trigger: 'requested', halfOpen: false });
  });
});
