import type { RecordedEvent } from '../../src/event-store/envelope';
import { FLAG_EVENT_TYPES, FlagEvent } from '../../src/flags/flag.events';
import type { Projection } from '../projection';
import type { FlagRow } from './flag-row';

/** Inline: a change is served by the next read (and answers its own request). One stream per flag. */
export const flagsProjection: Projection<FlagRow> = {
  name: 'flags',
  version: 1,
  inline: true,
  canHandle: FLAG_EVENT_TYPES,
  keysOf: (e) => [(e.data as { key: string }).key],
  evolve(row, event: RecordedEvent) {
    const e = event as unknown as FlagEvent;
    if (e.type === 'FlagDefined') {
      const d = e.data;
      return {
        key: d.key,
        description: d.description,
        type: d.type,
        defaultValue: d.defaultValue,
        current: null,
        definedBy: d.definedBy,
        definedAt: d.definedAt,
        updatedAt: d.definedAt,
      };
    }
    if (!row) return null;
    switch (e.type) {
      case 'FlagRedefined':
        return { ...row, description: e.data.description, defaultValue: e.data.defaultValue, updatedAt: e.data.redefinedAt };
      case 'FlagValueSet':
        return {
          ...row,
          current: { value: e.data.value, expiresAt: e.data.expiresAt, setBy: e.data.setBy, setAt: e.data.setAt, reason: e.data.reason },
          updatedAt: e.data.setAt,
        };
      case 'FlagValueCleared':
        return { ...row, current: null, updatedAt: e.data.clearedAt };
      case 'FlagValueExpired':
        return { ...row, current: null, updatedAt: e.data.recordedAt };
    }
  },
};
