import type { RecordedEvent } from '../../src/event-store/envelope';
import type { AlertEvent } from '../../src/alerts/alert.events';
import type { Projection } from '../projection';

export interface AlertRow {
  readonly rule: string;
  readonly state: 'firing' | 'resolved';
  readonly summary: string;
  readonly value: number;
  readonly pendingSince: string | null;
  readonly firedAt: string | null;
  readonly resolvedAt: string | null;
  readonly timesFired: number;
}

/** The latest state of each alert rule (one row per rule; the history stays in the log). */
export const alertsProjection: Projection<AlertRow> = {
  name: 'alerts',
  version: 1,
  canHandle: ['AlertFired', 'AlertResolved'],
  keysOf: (e) => [(e.data as { rule: string }).rule],
  evolve(row, event: RecordedEvent) {
    const e = event as unknown as AlertEvent;
    if (e.type === 'AlertFired') {
      return {
        rule: e.data.rule,
        state: 'firing',
        summary: e.data.summary,
        value: e.data.value,
        pendingSince: e.data.pendingSince,
        firedAt: e.data.firedAt,
        resolvedAt: null,
        timesFired: (row?.timesFired ?? 0) + 1,
      };
    }
    return {
      rule: e.data.rule,
      state: 'resolved',
      summary: e.data.summary,
      value: e.data.value,
      pendingSince: null,
      firedAt: e.data.firedAt,
      resolvedAt: e.data.resolvedAt,
      timesFired: row?.timesFired ?? 1,
    };
  },
};
