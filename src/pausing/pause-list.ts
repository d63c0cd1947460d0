import type { LoopPauseRow } from '../../projections/loop-pauses/loop-pauses.projection';
import { pauseHolds } from '../../projections/loop-pauses/loop-pauses.projection';
import { PauseRow, pauseRowHolds } from '../../projections/pauses/pause-row';
import { inScope } from '../access/tenant-scope';
import { PAUSABLE_LOOPS } from './loop-pause.events';
import { PAUSE_EXAMPLE, pauseView } from './pause.view';

/** Each pausable loop's latest pause (nulls when it was never paused); `paused` says whether it holds at `now`. */
export function loopPausesView(rows: readonly LoopPauseRow[], now: Date) {
  return PAUSABLE_LOOPS.map((loop) => {
    const r = rows.find((x) => x.loop === loop);
    if (!r) return { loop, paused: false, reason: null, pausedBy: null, pausedAt: null, resumeAt: null, resumedBy: null, resumedAt: null, resumeReason: null };
    // A pause past its resumeAt has ended by itself (no event records that for a loop).
    return { ...r, paused: pauseHolds(r, now) };
  });
}

/**
 * GET /api/pauses: the whole-loop pauses (shared machinery: every caller sees them) and the pauses
 * of jobs, targets and tenants that hold at `now`, confined to the caller's tenant, newest first.
 */
export function pauseList(rows: readonly PauseRow[], loops: readonly LoopPauseRow[], tenant: string | null, now: Date) {
  const pauses = rows
    .filter((r) => inScope(tenant, r.tenant) && pauseRowHolds(r, now))
    .sort((a, b) => b.pausedAt.localeCompare(a.pausedAt) || a.key.localeCompare(b.key))
    .map(pauseView);
  return { loops: loopPausesView(loops, now), pauses };
}

export const PAUSE_LIST_EXAMPLE = {
  loops: [
    {
      loop: 'job-worker',
      paused: false,
      reason: null,
      pausedBy: null,
      pausedAt: null,
      resumeAt: null,
      resumedBy: null,
      resumedAt: null,
      resumeReason: null,
    },
    {
      loop: 'poll-scheduler',
      paused: true,
      reason: 'database failover in progress',
      pausedBy: 'alice',
      pausedAt: '2026-03-02T10:00:00.000Z',
      resumeAt: '2026-03-02T11:00:00.000Z',
      resumedBy: null,
      resumedAt: null,
      resumeReason: null,
    },
  ],
  pauses: [
    {
      scope: 'tenant-targets',
      subject: 'acme',
      tenant: 'acme',
      paused: true,
      reason: 'acme migrates its API servers',
      pausedBy: 'alice',
      pausedAt: '2026-03-02T10:05:00.000Z',
      resumeAt: null,
      resumedBy: null,
      resumedAt: null,
      resumeReason: null,
      autoResumed: false,
    },
    PAUSE_EXAMPLE,
  ],
};
