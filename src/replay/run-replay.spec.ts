import type { RecordedEvent } from '../event-store/envelope';
import type { RunEnqueued, RunEvent } from '../jobs/events/run.events';
import { runDecider, RunCommand } from '../jobs/run.decider';
import { evolveRun, RunState } from '../jobs/run.state';
import { eventsOrThrow } from '../shared/decider';
import { RunReplay } from './run-replay';
import type { JobRetryPolicy } from './what-if-policy';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
type Ev = Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'recordedAt'>;
const wrap = (e: RunEvent, atMs: number): Ev => ({
  type: e.type,
  data: e.data,
  metadata: { occurredAt: new Date(atMs).toISOString() },
  recordedAt: new Date(atMs),
});

const enqueued = (maxAttempts: number): RunEnqueued => ({
  type: 'RunEnqueued',
  data: {
    runId: 'r1',
    job: 'nightly',
    trigger: 'manual',
    actor: 'alice',
    reason: 'test',
    params: {},
    tenant: null,
    priority: 'normal',
    attempt: 1,
    maxAttempts,
    timeoutMs: 60_000,
    cancellable: false,
    backoff: { kind: 'exponential', baseMs: 1000, maxMs: 60_000 },
    enqueuedAt: new Date(T0).toISOString(),
    readyAt: new Date(T0).toISOString(),
    expiresAt: null,
    scheduledFor: null,
    retryOf: null,
  },
});

/** Records a run whose attempts end as `outcomes` say, through the worker's decider (maxAttempts 3, backoff 1 s doubling). */
function record(outcomes: ('ok' | 'fail')[], maxAttempts = 3): Ev[] {
  const out: Ev[] = [];
  let row: RunState | null = null;
  let t = T0;
  const push = (evs: RunEvent[]) => {
    for (const e of evs) {
      const w = wrap(e, t);
      out.push(w);
      row = evolveRun(row, w);
    }
  };
  const act = (cmd: RunCommand) => {
    push([...eventsOrThrow(runDecider.decide(cmd, row))]);
  };
  push([enqueued(maxAttempts)]);
  for (const o of outcomes) {
    t += 5000;
    act({ type: 'Claim', workerId: 'w1', now: new Date(t) });
    t += 100;
    const outcome = { finishedAt: new Date(t).toISOString(), durationMs: 100, exitCode: o === 'ok' ? 0 : 1, logTail: '', error: o === 'ok' ? null : 'exit 1' };
    act({ type: o === 'ok' ? 'Succeed' : 'Fail', workerId: 'w1', attempt: row!.attempt, outcome });
  }
  return out;
}

function replay(events: Ev[], policy: JobRetryPolicy) {
  const r = new RunReplay(policy);
  for (const e of events) r.feed(e);
  return { ...r.finish(), unknown: r.unknownOutcomes, done: r.done };
}

describe('RunReplay', () => {
  const deadLettered = record(['fail', 'fail', 'fail']);

  it('given a run that failed three times and was dead-lettered, when replayed with its own rules, then the what-if equals what happened', () => {
    const r = replay(deadLettered, {});
    expect(r.actual).toEqual({ retries: 2, deadLetters: 1, retryWaitSeconds: 1 + 2 });
    expect(r.whatIf).toEqual(r.actual);
    expect(r.unknown).toBe(0);
    expect(r.done).toBe(true);
  });

  it('given the same rules spelled out, then the what-if still equals what happened', () => {
    const r = replay(deadLettered, { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000 });
    expect(r.whatIf).toEqual(r.actual);
  });

  it('given fewer attempts, then it dead-letters after the second failure and the third attempt is not fed', () => {
    expect(replay(deadLettered, { maxAttempts: 2 }).whatIf).toEqual({ retries: 1, deadLetters: 1, retryWaitSeconds: 1 });
  });

  it('given more attempts than were recorded, then the last failure would have retried with an unknown outcome', () => {
    const r = replay(deadLettered, { maxAttempts: 5 });
    expect(r.whatIf).toEqual({ retries: 3, deadLetters: 0, retryWaitSeconds: 1 + 2 + 4 });
    expect(r.unknown).toBe(1);
  });

  it('given a shorter backoff, then the same retries wait less', () => {
    expect(replay(deadLettered, { backoffBaseMs: 500 }).whatIf).toEqual({ retries: 2, deadLetters: 1, retryWaitSeconds: 0.5 + 1 });
    expect(replay(deadLettered, { backoffBaseMs: 1500, backoffMaxMs: 2000 }).whatIf).toEqual({ retries: 2, deadLetters: 1, retryWaitSeconds: 1.5 + 2 });
  });

  it('given a run that succeeded on its second attempt, when only one attempt is allowed, then it is dead-lettered instead', () => {
    const recovered = record(['fail', 'ok']);
    const r = replay(recovered, { maxAttempts: 1 });
    expect(r.actual).toEqual({ retries: 1, deadLetters: 0, retryWaitSeconds: 1 });
    expect(r.whatIf).toEqual({ retries: 0, deadLetters: 1, retryWaitSeconds: 0 });
  });

  it('given a run force-failed by the janitor, then the what-if dead-letters it too (not the policy)', () => {
    const events = record(['fail']);
    const row = events.reduce<RunState | null>((s, e) => evolveRun(s, e), null);
    const claimed = eventsOrThrow(runDecider.decide({ type: 'Claim', workerId: 'w1', now: new Date(T0 + 60_000) }, row));
    const forced = eventsOrThrow(
      runDecider.decide(
        { type: 'ForceFail', reason: 'stuck', now: new Date(T0 + 70_000) },
        claimed.reduce<RunState | null>((s, e) => evolveRun(s, wrap(e, T0 + 60_000)), row),
      ),
    );
    const all = [...events, ...claimed.map((e) => wrap(e, T0 + 60_000)), ...forced.map((e) => wrap(e, T0 + 70_000))];
    const r = replay(all, { maxAttempts: 10 });
    expect(r.actual).toEqual({ retries: 1, deadLetters: 1, retryWaitSeconds: 1 });
    expect(r.whatIf).toEqual(r.actual);
  });

  it('given history before the window, then only events fed in the window are counted', () => {
    const r = new RunReplay({ maxAttempts: 2 });
    const cut = deadLettered.findIndex((e) => e.type === 'RetryScheduled') + 1; // first failure and its retry are history
    for (const e of deadLettered.slice(0, cut)) r.history(e);
    for (const e of deadLettered.slice(cut)) r.feed(e);
    expect(r.finish()).toEqual({ actual: { retries: 1, deadLetters: 1, retryWaitSeconds: 2 }, whatIf: { retries: 0, deadLetters: 1, retryWaitSeconds: 0 } });
  });
});
