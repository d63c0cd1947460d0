import type { DomainEvent } from '../event-store/envelope';

/** The two loops an operator can pause as a whole: every job worker, or the poll scheduler. */
export const PAUSABLE_LOOPS = ['job-worker', 'poll-scheduler'] as const;
export type PausableLoop = (typeof PAUSABLE_LOOPS)[number];

export type LoopPaused = DomainEvent<'LoopPaused', { loop: PausableLoop; reason: string; resumeAt: string | null; pausedBy: string; at: string }>;
export type LoopResumed = DomainEvent<'LoopResumed', { loop: PausableLoop; reason: string; resumedBy: string; at: string }>;
export type LoopPauseEvent = LoopPaused | LoopResumed;

export const LOOP_PAUSE_EVENT_TYPES = ['LoopPaused', 'LoopResumed'] as const;
export const loopPauseStream = (loop: PausableLoop) => `loop-pause-${loop}`;
