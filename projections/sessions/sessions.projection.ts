import type { RecordedEvent } from '../../src/event-store/envelope';
import type { SessionEndedData, SessionStartedData } from '../../src/console/session/session.events';
import type { Projection } from '../projection';
import type { SessionRow } from './session-row';

/**
 * Console sessions, one row per session (= its stream). Inline: a session works the moment its
 * sign-in commits, and stops the moment its end commits. Ended rows stay (the admin list shows them).
 */
export const sessionsProjection: Projection<SessionRow> = {
  name: 'sessions',
  version: 1,
  inline: true,
  canHandle: ['SessionStarted', 'SessionEnded'],
  keysOf: (e) => [(e.data as { sessionId: string }).sessionId],
  evolve(row: SessionRow | null, e: RecordedEvent): SessionRow | null {
    if (e.type === 'SessionStarted') {
      const d = e.data as SessionStartedData;
      return { ...d, endedAt: null, endReason: null, endDetail: null };
    }
    if (e.type === 'SessionEnded' && row) {
      const d = e.data as SessionEndedData;
      return { ...row, endedAt: d.endedAt, endReason: d.reason, endDetail: d.detail };
    }
    return row;
  },
};
