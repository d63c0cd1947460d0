import { Decider, Decision, reject } from '../shared/decider';
import type { LoopPauseEvent, PausableLoop } from './loop-pause.events';

/** One loop's pause as its stream tells it. A pause whose resumeAt has passed is over without an event. */
export type LoopPauseState = { paused: false } | { paused: true; reason: string; resumeAt: string | null; pausedBy: string; at: string };

export interface PauseLoop {
  readonly kind: 'pause';
  readonly loop: PausableLoop;
  readonly reason: string;
  readonly resumeAt: string | null;
  readonly actor: string;
  readonly now: Date;
}
export interface ResumeLoop {
  readonly kind: 'resume';
  readonly loop: PausableLoop;
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
}
export type LoopPauseCommand = PauseLoop | ResumeLoop;

/** Whether the pause holds at `now`. */
export const pausedAt = (s: LoopPauseState, now: Date): s is Extract<LoopPauseState, { paused: true }> =>
  s.paused && (s.resumeAt === null || Date.parse(s.resumeAt) > now.getTime());

export function evolveLoopPause(_s: LoopPauseState, e: LoopPauseEvent): LoopPauseState {
  if (e.type === 'LoopPaused') return { paused: true, reason: e.data.reason, resumeAt: e.data.resumeAt, pausedBy: e.data.pausedBy, at: e.data.at };
  return { paused: false };
}

function decidePause(c: PauseLoop, s: LoopPauseState): Decision<LoopPauseEvent> {
  if (c.resumeAt !== null && Date.parse(c.resumeAt) <= c.now.getTime()) return reject('invalid', 'must be in the future', 'resumeAt');
  if (pausedAt(s, c.now))
    return reject(
      'conflict',
      `${c.loop} is paused already (by ${s.pausedBy} since ${s.at}${s.resumeAt ? ` until ${s.resumeAt}` : ''}: "${s.reason}"); resume it first`,
    );
  const resumeAt = c.resumeAt === null ? null : new Date(c.resumeAt).toISOString();
  return [{ type: 'LoopPaused', data: { loop: c.loop, reason: c.reason, resumeAt, pausedBy: c.actor, at: c.now.toISOString() } }];
}

function decideResume(c: ResumeLoop, s: LoopPauseState): Decision<LoopPauseEvent> {
  if (!pausedAt(s, c.now))
    return reject('conflict', s.paused ? `${c.loop} is not paused: its pause ended at ${(s as { resumeAt: string }).resumeAt}` : `${c.loop} is not paused`);
  return [{ type: 'LoopResumed', data: { loop: c.loop, reason: c.reason, resumedBy: c.actor, at: c.now.toISOString() } }];
}

/** Pausing and resuming a whole loop; the time comes in the command. */
export const loopPauseDecider: Decider<LoopPauseState, LoopPauseCommand, LoopPauseEvent> = {
  initialState: { paused: false },
  evolve: evolveLoopPause,
  decide: (c, s) => (c.kind === 'pause' ? decidePause(c, s) : decideResume(c, s)),
};
