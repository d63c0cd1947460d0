import type { RecordedEvent } from '../../src/event-store/envelope';
import { ALL_PAUSE_EVENT_TYPES, isPausedEvent, PauseEvent } from '../../src/pausing/pause.events';
import type { TargetPaused, TargetResumed } from '../../src/polling/events/target-lifecycle.events';
import type { Projection } from '../projection';
import type { PauseRow } from './pause-row';

const TARGET_TYPES = ['TargetPaused', 'TargetResumed', 'TargetRemoved'];

const keyOf = (e: RecordedEvent) =>
  TARGET_TYPES.includes(e.type)
    ? `target:${(e.data as { key: string }).key}`
    : `${(e.data as PauseEvent['data']).scope}:${(e.data as PauseEvent['data']).subject}`;

function paused(row: PauseRow | null, e: RecordedEvent, key: string): PauseRow {
  if (e.type === 'TargetPaused') {
    const d = (e as unknown as TargetPaused).data;
    const tenant = (e.data as { tenant?: string }).tenant ?? null;
    return pausedRow(key, 'target', d.key, tenant, d.reason ?? '', d.pausedBy ?? e.metadata.actor ?? 'unknown', d.at, d.resumeAt ?? null);
  }
  const d = (e as unknown as PauseEvent).data;
  return pausedRow(
    key,
    d.scope,
    d.subject,
    d.tenant ?? null,
    d.reason,
    (d as { pausedBy: string }).pausedBy,
    d.at,
    (d as { resumeAt: string | null }).resumeAt,
  );
}

const pausedRow = (
  key: string,
  scope: PauseRow['scope'],
  subject: string,
  tenant: string | null,
  reason: string,
  pausedBy: string,
  pausedAt: string,
  resumeAt: string | null,
): PauseRow => ({
  key,
  scope,
  subject,
  tenant,
  paused: true,
  reason,
  pausedBy,
  pausedAt,
  resumeAt,
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
  autoResumed: false,
});

/**
 * `rm_pauses`, inline: what is paused besides whole loops — one job, one target, every job or
 * every target of a tenant — with who, why and until when; the hold check (src/pausing/holds.ts)
 * reads it right after an operator's pause commits. Each row is changed by one stream only (the
 * job's or tenant's pause stream, or the target's own stream).
 */
export const pausesProjection: Projection<PauseRow> = {
  name: 'pauses',
  version: 1,
  inline: true,
  canHandle: [...ALL_PAUSE_EVENT_TYPES, ...TARGET_TYPES],
  keysOf: (e) => [keyOf(e)],
  evolve(row, e, key) {
    if (e.type === 'TargetRemoved') return null;
    if (e.type === 'TargetPaused' || isPausedEvent(e as unknown as PauseEvent)) return paused(row, e, key);
    if (!row) return null; // a resume of a target paused before this read model existed: nothing to show
    const d = (e as unknown as TargetResumed | PauseEvent).data as { reason?: string; resumedBy?: string; auto?: boolean; at: string };
    return {
      ...row,
      paused: false,
      resumedBy: d.resumedBy ?? e.metadata.actor ?? 'unknown',
      resumedAt: d.at,
      resumeReason: d.reason ?? '',
      autoResumed: d.auto === true,
    };
  },
};
