import type { RecordedEvent } from '../../src/event-store/envelope';
import type { LoopPauseEvent, PausableLoop } from '../../src/pausing/loop-pause.events';
import { LOOP_PAUSE_EVENT_TYPES } from '../../src/pausing/loop-pause.events';
import type { Projection } from '../projection';

/** One row per pausable loop: its latest pause and, once resumed, by whom and why. */
export interface LoopPauseRow {
  readonly loop: PausableLoop;
  readonly paused: boolean;
  readonly reason: string;
  readonly pausedBy: string;
  readonly pausedAt: string;
  /** When the pause ends by itself (null: until resumed). */
  readonly resumeAt: string | null;
  readonly resumedBy: string | null;
  readonly resumedAt: string | null;
  readonly resumeReason: string | null;
}

/**
 * `rm_loop_pauses`, inline: the worker and the scheduler read it right after an operator's pause
 * commits (each row is changed by its loop's stream only).
 */
export const loopPausesProjection: Projection<LoopPauseRow> = {
  name: 'loop_pauses',
  version: 1,
  inline: true,
  canHandle: LOOP_PAUSE_EVENT_TYPES,
  keysOf: (e: RecordedEvent) => [(e.data as { loop: string }).loop],
  evolve(row, e) {
    const ev = e as unknown as LoopPauseEvent;
    if (ev.type === 'LoopPaused') {
      const d = ev.data;
      return {
        loop: d.loop,
        paused: true,
        reason: d.reason,
        pausedBy: d.pausedBy,
        pausedAt: d.at,
        resumeAt: d.resumeAt,
        resumedBy: null,
        resumedAt: null,
        resumeReason: null,
      };
    }
    if (!row) return null;
    return { ...row, paused: false, resumedBy: ev.data.resumedBy, resumedAt: ev.data.at, resumeReason: ev.data.reason };
  },
};

/** Whether a row's pause holds at `now` (a pause past its resumeAt is over). */
export const pauseHolds = (r: LoopPauseRow, now: Date) => r.paused && (r.resumeAt === null || Date.parse(r.resumeAt) > now.getTime());
