import { randomUUID } from 'node:crypto';
import { evolveTarget, TargetState } from '../../src/polling/target.state';
import type { EventToAppend } from '../../src/event-store/envelope';
import type { RunEnqueued, RunEvent } from '../../src/jobs/events/run.events';
import { runDecider, RunCommand } from '../../src/jobs/run.decider';
import { evolveRun, RunState } from '../../src/jobs/run.state';
import { eventsOrThrow } from '../../src/shared/decider';
import { breakerAdmits } from '../../src/polling/breaker.decider';
import type { TargetEvent } from '../../src/polling/events/target.events';
import type { ProbeResult } from '../../src/polling/probes/probe';
import type { PollRules } from '../../src/polling/poll-rules';
import { DecideContext, TargetCommand, targetDecider } from '../../src/polling/target.decider';

/** One append: the events of one decision, as the scheduler / workers write them. */
export type Append = { readonly stream: string; readonly events: EventToAppend[] };

export const ctxOf = (breaker: PollRules['breaker'], deadLetter: PollRules['deadLetter']): DecideContext => ({
  rules: { breaker, deadLetter, adaptiveEnabled: false, defaultIntervalMs: 1000, minIntervalMs: 100, maxIntervalMs: 10_000 },
  random: () => 0.5,
  intervalFactor: 1,
});

/**
 * A target's history from a script of probe outcomes (ms after t0), decided by the scheduler's
 * own deciders under `ctx`, grouped per append (half-open; poll + transitions).
 */
export function targetHistory(name: string, t0: number, script: { at: number; ok: boolean }[], ctx: DecideContext): Append[] {
  const stream = `target-instance::${name}`;
  const out: Append[] = [];
  let s: TargetState | null = null;
  const decide = (cmd: TargetCommand, state: TargetState | null) => eventsOrThrow(targetDecider(ctx).decide(cmd, state));
  const key = `instance::${name}`;
  const push = (evs: readonly TargetEvent[], at: number) => {
    if (!evs.length) return;
    out.push({ stream, events: evs.map((e) => ({ type: e.type, data: e.data, metadata: { occurredAt: new Date(at).toISOString() } })) });
    for (const e of evs) s = evolveTarget(s, e);
  };
  push(
    decide(
      { type: 'RegisterTarget', spec: { type: 'instance', name, probe: { kind: 'http', url: 'http://127.0.0.1:9/' } }, source: 'api', at: new Date(t0 - 500) },
      null,
    ),
    t0 - 500,
  );
  for (const step of script) {
    const at = new Date(t0 + step.at);
    const cur: TargetState = s!;
    const trigger = cur.deadLetter ? 'dead_letter_retry' : cur.breaker.state === 'open' ? 'half_open' : 'schedule';
    const allowed = cur.deadLetter ? at.getTime() >= Date.parse(cur.deadLetter.nextRetry) : breakerAdmits(cur.breaker, at);
    if (!allowed) throw new Error(`script error: the recorded policy would not probe ${name} at +${step.at}`);
    if (cur.breaker.state === 'open') push(decide({ type: 'AdmitProbe', key, at, force: trigger === 'dead_letter_retry' }, cur), at.getTime());
    const fin = new Date(at.getTime() + 10);
    const result: ProbeResult = step.ok
      ? { ok: true, statusCode: 200, durationMs: 10 }
      : { ok: false, statusCode: 500, durationMs: 10, failureKind: 'http_5xx', category: 'transient', message: '500 internal server error' };
    push(decide({ type: 'RecordPollOutcome', key, at: fin, result, startedAt: at, finishedAt: fin, dueAt: at, trigger }, s!), fin.getTime());
  }
  return out;
}

/** A run of `job` whose attempts end as `outcomes` say, decided by the worker's run decider. */
export function runHistory(job: string, t0: number, outcomes: ('ok' | 'fail')[], rules: { maxAttempts: number; backoffBaseMs: number }): Append[] {
  const runId = randomUUID();
  const stream = `job-${runId}`;
  const out: Append[] = [];
  let row: RunState | null = null;
  let t = t0;
  const push = (evs: RunEvent[]) => {
    out.push({ stream, events: evs.map((e) => ({ type: e.type, data: e.data, metadata: { occurredAt: new Date(t).toISOString() } })) });
    for (const e of evs) row = evolveRun(row, { type: e.type, data: e.data, metadata: { occurredAt: new Date(t).toISOString() }, recordedAt: new Date(t) });
  };
  const act = (cmd: RunCommand) => {
    push([...eventsOrThrow(runDecider.decide(cmd, row))]);
  };
  const enqueued: RunEnqueued = {
    type: 'RunEnqueued',
    data: {
      runId,
      job,
      trigger: 'manual',
      actor: 'test',
      reason: 'synthetic',
      params: {},
      tenant: null,
      priority: 'normal',
      attempt: 1,
      maxAttempts: rules.maxAttempts,
      timeoutMs: 60_000,
      cancellable: false,
      backoff: { kind: 'exponential', baseMs: rules.backoffBaseMs, maxMs: 60_000 },
      enqueuedAt: new Date(t0).toISOString(),
      readyAt: new Date(t0).toISOString(),
      expiresAt: null,
      scheduledFor: null,
      retryOf: null,
    },
  };
  push([enqueued]);
  for (const o of outcomes) {
    t = Math.max(t + 1000, Date.parse(row!.readyAt));
    act({ type: 'Claim', workerId: 'w1', now: new Date(t) });
    t += 100;
    act({
      type: o === 'ok' ? 'Succeed' : 'Fail',
      workerId: 'w1',
      attempt: row!.attempt,
      outcome: { finishedAt: new Date(t).toISOString(), durationMs: 100, exitCode: o === 'ok' ? 0 : 1, logTail: '', error: o === 'ok' ? null : 'exit 1' },
    });
  }
  return out;
}
