import { Decider, Decision, isRejection, reject } from '../shared/decider';
import { backoffDelayMs } from './backoff';
import { decideEnqueue, decideRetry, EnqueueRun, RetryRun } from './enqueue.decider';
import type { RunErrorKind, RunEvent } from './events/run.events';
import { evolveRun, RunState } from './run.state';

export interface Outcome {
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly exitCode: number | null;
  readonly logTail: string;
  readonly error: string | null;
  readonly errorKind?: RunErrorKind;
}

/** Commands on a run that exists. A report about an attempt the run has moved past is a `conflict`. */
export type RunStepCommand =
  | { readonly type: 'Claim'; readonly workerId: string; readonly now: Date }
  | { readonly type: 'Succeed'; readonly workerId: string; readonly attempt: number; readonly outcome: Outcome }
  | { readonly type: 'Fail'; readonly workerId: string; readonly attempt: number; readonly outcome: Outcome }
  /** The worker stopped the handler because a cancel was requested. */
  | { readonly type: 'ConfirmCancel'; readonly workerId: string; readonly attempt: number; readonly outcome: Outcome }
  | { readonly type: 'RequestCancel'; readonly actor: string; readonly reason: string; readonly now: Date }
  | { readonly type: 'Expire'; readonly now: Date }
  /** The worker is gone (reaped) or gave the run back (shutdown): counts as a failed attempt. */
  | { readonly type: 'Abandon'; readonly workerId: string; readonly reason: string; readonly now: Date; readonly countsAsAttempt: boolean }
  /** Janitor / fail-active: a stuck run is failed without retry. */
  | { readonly type: 'ForceFail'; readonly reason: string; readonly now: Date }
  /** Janitor / cancel-pending: a waiting run is dropped. */
  | { readonly type: 'ForceCancel'; readonly reason: string; readonly by: 'operator' | 'janitor'; readonly now: Date };

/** Enqueue and Retry start a run (its state is null); every other command needs the run. */
export type RunCommand = EnqueueRun | RetryRun | RunStepCommand;

const iso = (d: Date) => d.toISOString();

function retryOrDeadLetter(s: RunState, now: Date, reason: string): RunEvent {
  if (s.attempt < s.maxAttempts) {
    const backoffMs = backoffDelayMs(s.backoff, s.attempt);
    return { type: 'RetryScheduled', data: { attempt: s.attempt + 1, readyAt: iso(new Date(now.getTime() + backoffMs)), backoffMs } };
  }
  return { type: 'RunDeadLettered', data: { attempts: s.attempt, reason, at: iso(now) } };
}

/** Whether the worker's report is about the attempt the run is in now (not a stale one). */
function owns(s: RunState, workerId: string, attempt: number): boolean {
  return (s.state === 'running' || s.state === 'cancelling') && s.workerId === workerId && s.attempt === attempt;
}

/**
 * The rules of one run's life: given its state and a command, the events that follow. Every event
 * after RunEnqueued carries the job's name (and the run's tenant, when it has one), so the timeline
 * can filter a job's or a tenant's events and summarise each on its own. Context (the job's
 * definition, the time) comes in the command.
 */
export const runDecider: Decider<RunState | null, RunCommand, RunEvent> = {
  initialState: null,
  evolve: evolveRun,
  decide(cmd, state) {
    if (cmd.type === 'Enqueue' || cmd.type === 'Retry') {
      if (state) return reject('conflict', `run ${state.runId} exists already`);
      return cmd.type === 'Enqueue' ? decideEnqueue(cmd) : decideRetry(cmd);
    }
    if (!state) return reject('not_found', 'no such run');
    const d = decideStep(state, cmd);
    if (isRejection(d)) return d;
    const tag = state.tenant ? { job: state.job, tenant: state.tenant } : { job: state.job };
    return d.map((e) => ({ ...e, data: { ...e.data, ...tag } }) as RunEvent);
  },
};

const accept = (...events: RunEvent[]): Decision<RunEvent> => events;
/** A step the run has moved past (another worker, a later attempt, an ended run): the state changed under it. */
const stale = (reason: string) => reject('conflict', reason);

function decideStep(s: RunState, cmd: RunStepCommand): Decision<RunEvent> {
  switch (cmd.type) {
    case 'Claim': {
      if (s.state !== 'pending' && s.state !== 'retrying') return stale(`run is ${s.state}, not waiting`);
      if (s.expiresAt && Date.parse(s.expiresAt) <= cmd.now.getTime())
        return accept({ type: 'RunExpired', data: { at: iso(cmd.now), expiresAt: s.expiresAt } });
      if (Date.parse(s.readyAt) > cmd.now.getTime()) return stale('run is not ready yet');
      return accept({ type: 'RunClaimed', data: { workerId: cmd.workerId, attempt: s.attempt, claimedAt: iso(cmd.now) } });
    }
    case 'Succeed': {
      if (!owns(s, cmd.workerId, cmd.attempt)) return stale(`worker ${cmd.workerId} no longer owns attempt ${cmd.attempt} (run is ${s.state})`);
      return accept({ type: 'RunSucceeded', data: { workerId: cmd.workerId, attempt: cmd.attempt, ...cmd.outcome } });
    }
    case 'Fail': {
      if (!owns(s, cmd.workerId, cmd.attempt)) return stale(`worker ${cmd.workerId} no longer owns attempt ${cmd.attempt} (run is ${s.state})`);
      const failed: RunEvent = { type: 'RunFailed', data: { workerId: cmd.workerId, attempt: cmd.attempt, ...cmd.outcome } };
      const now = new Date(cmd.outcome.finishedAt);
      // A run someone asked to cancel is not retried.
      if (s.state === 'cancelling')
        return accept(failed, {
          type: 'RunCancelled',
          data: { at: iso(now), by: 'worker', reason: s.cancelRequest?.reason ?? 'cancelled', durationMs: cmd.outcome.durationMs },
        });
      // A request the egress policy refused fails the same way on every attempt until the
      // configuration changes: retrying only burns attempts, so it is dead-lettered at once.
      if (cmd.outcome.errorKind === 'blocked_by_policy')
        return accept(failed, { type: 'RunDeadLettered', data: { attempts: s.attempt, reason: 'blocked_by_policy', at: iso(now) } });
      return accept(failed, retryOrDeadLetter(s, now, cmd.outcome.error ?? 'failed'));
    }
    case 'ConfirmCancel': {
      if (!owns(s, cmd.workerId, cmd.attempt)) return stale(`worker ${cmd.workerId} no longer owns attempt ${cmd.attempt}`);
      return accept({
        type: 'RunCancelled',
        data: {
          at: cmd.outcome.finishedAt,
          by: 'worker',
          reason: s.cancelRequest?.reason ?? 'cancelled',
          durationMs: cmd.outcome.durationMs,
          logTail: cmd.outcome.logTail,
        },
      });
    }
    case 'RequestCancel': {
      if (!s.cancellable)
        return reject('conflict', `job "${s.job}" is not cancellable: its handler has no cooperative cancel hook, so stopping it could leave half-done work`);
      const requested: RunEvent = { type: 'CancelRequested', data: { actor: cmd.actor, reason: cmd.reason, at: iso(cmd.now) } };
      if (s.state === 'pending' || s.state === 'retrying')
        return accept(requested, { type: 'RunCancelled', data: { at: iso(cmd.now), by: 'operator', reason: cmd.reason, durationMs: null } });
      if (s.state === 'running') return accept(requested);
      if (s.state === 'cancelling') return reject('conflict', 'a cancel was already requested for this run');
      return reject('conflict', `run already ended (${s.state}); nothing to cancel`);
    }
    case 'Expire': {
      if ((s.state === 'pending' || s.state === 'retrying') && s.expiresAt && Date.parse(s.expiresAt) <= cmd.now.getTime()) {
        return accept({ type: 'RunExpired', data: { at: iso(cmd.now), expiresAt: s.expiresAt } });
      }
      return stale('run is not expired');
    }
    case 'Abandon': {
      if (s.state !== 'running' && s.state !== 'cancelling') return stale(`run is ${s.state}, not running`);
      if (s.workerId !== cmd.workerId) return stale(`run belongs to ${s.workerId}, not ${cmd.workerId}`);
      const abandoned: RunEvent = { type: 'RunAbandoned', data: { workerId: cmd.workerId, attempt: s.attempt, at: iso(cmd.now), reason: cmd.reason } };
      if (s.state === 'cancelling')
        return accept(abandoned, {
          type: 'RunCancelled',
          data: { at: iso(cmd.now), by: 'worker', reason: s.cancelRequest?.reason ?? 'cancelled', durationMs: null },
        });
      // A graceful release gives the attempt back: the run waits again with the same attempt number.
      if (!cmd.countsAsAttempt) return accept(abandoned, { type: 'RetryScheduled', data: { attempt: s.attempt, readyAt: iso(cmd.now), backoffMs: 0 } });
      return accept(abandoned, retryOrDeadLetter(s, cmd.now, `abandoned: ${cmd.reason}`));
    }
    case 'ForceFail': {
      if (s.state !== 'running' && s.state !== 'cancelling') return stale(`run is ${s.state}, not running`);
      const started = s.claimedAt ? Date.parse(s.claimedAt) : cmd.now.getTime();
      return accept(
        {
          type: 'RunFailed',
          data: {
            workerId: s.workerId ?? 'unknown',
            attempt: s.attempt,
            finishedAt: iso(cmd.now),
            durationMs: cmd.now.getTime() - started,
            exitCode: null,
            logTail: '',
            error: cmd.reason,
          },
        },
        { type: 'RunDeadLettered', data: { attempts: s.attempt, reason: cmd.reason, at: iso(cmd.now) } },
      );
    }
    case 'ForceCancel': {
      if (s.state !== 'pending' && s.state !== 'retrying') return stale(`run is ${s.state}, not waiting`);
      return accept({ type: 'RunCancelled', data: { at: iso(cmd.now), by: cmd.by, reason: cmd.reason, durationMs: null } });
    }
  }
}
