import { Decider, Decision, reject } from '../shared/decider';
import { isPausedEvent, PAUSE_EVENT_TYPES, PauseEvent, PauseSubjectRef } from './pause.events';

/** One subject's pause as its stream tells it. A pause whose resumeAt has passed is over, event or not. */
export type PauseState = { paused: false } | { paused: true; reason: string; resumeAt: string | null; pausedBy: string; at: string };

export interface PauseSubjectCmd {
  readonly kind: 'pause';
  readonly subject: PauseSubjectRef;
  readonly reason: string;
  readonly resumeAt: string | null;
  readonly actor: string;
  readonly now: Date;
}
export interface ResumeSubjectCmd {
  readonly kind: 'resume';
  readonly subject: PauseSubjectRef;
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
}
/** The system records that a pause ran out (at its resumeAt); nothing when it has not, or was resumed. */
export interface ExpirePauseCmd {
  readonly kind: 'expire';
  readonly subject: PauseSubjectRef;
  readonly now: Date;
}
export type PauseCommand = PauseSubjectCmd | ResumeSubjectCmd | ExpirePauseCmd;

export const pauseHoldsAt = (s: PauseState, now: Date): s is Extract<PauseState, { paused: true }> =>
  s.paused && (s.resumeAt === null || Date.parse(s.resumeAt) > now.getTime());

/** How an operator names a subject in messages. */
export const describeSubject = (s: PauseSubjectRef) =>
  s.scope === 'job' ? `job "${s.subject}"` : s.scope === 'tenant-jobs' ? `the jobs of tenant ${s.subject}` : `the targets of tenant ${s.subject}`;

const is = (s: PauseSubjectRef) => (s.scope === 'job' ? 'is' : 'are');

export const pausedSince = (s: { pausedBy: string; at: string; resumeAt: string | null; reason: string }) =>
  `by ${s.pausedBy} since ${s.at}${s.resumeAt ? ` until ${s.resumeAt}` : ''}: "${s.reason}"`;

export function evolvePause(_s: PauseState, e: PauseEvent): PauseState {
  if (isPausedEvent(e)) return { paused: true, reason: e.data.reason, resumeAt: e.data.resumeAt, pausedBy: e.data.pausedBy, at: e.data.at };
  return { paused: false };
}

const ref = (s: PauseSubjectRef): PauseSubjectRef => ({ scope: s.scope, subject: s.subject, ...(s.tenant ? { tenant: s.tenant } : {}) });

function decide(c: PauseCommand, s: PauseState): Decision<PauseEvent> {
  const types = PAUSE_EVENT_TYPES[c.subject.scope];
  if (c.kind === 'pause') {
    if (c.resumeAt !== null && Date.parse(c.resumeAt) <= c.now.getTime()) return reject('invalid', 'must be in the future', 'resumeAt');
    if (pauseHoldsAt(s, c.now)) return reject('conflict', `${describeSubject(c.subject)} ${is(c.subject)} paused already (${pausedSince(s)}); resume it first`);
    const resumeAt = c.resumeAt === null ? null : new Date(c.resumeAt).toISOString();
    return [{ type: types.paused, data: { ...ref(c.subject), reason: c.reason, resumeAt, pausedBy: c.actor, at: c.now.toISOString() } } as PauseEvent];
  }
  if (c.kind === 'resume') {
    if (!pauseHoldsAt(s, c.now)) {
      const ended = s.paused ? (s as { resumeAt: string }).resumeAt : null;
      return reject('conflict', `${describeSubject(c.subject)} ${is(c.subject)} not paused${ended ? `: its pause ended at ${ended}` : ''}`);
    }
    return [{ type: types.resumed, data: { ...ref(c.subject), reason: c.reason, resumedBy: c.actor, auto: false, at: c.now.toISOString() } } as PauseEvent];
  }
  if (!s.paused || s.resumeAt === null || Date.parse(s.resumeAt) > c.now.getTime()) return [];
  return [{ type: types.resumed, data: { ...ref(c.subject), reason: 'resumeAt reached', resumedBy: 'system', auto: true, at: s.resumeAt } } as PauseEvent];
}

/**
 * Pausing and resuming one job, or every job or target of a tenant, by the same rules as a whole
 * loop's pause (loop-pause.decider.ts): resumeAt must be in the future; pausing what is paused and
 * resuming what is not are conflicts (409); a pause past its resumeAt is over, and `expire`
 * records that it ran out (auto: true) once, at its resumeAt.
 */
export const pauseDecider: Decider<PauseState, PauseCommand, PauseEvent> = {
  initialState: { paused: false },
  evolve: evolvePause,
  decide,
};
