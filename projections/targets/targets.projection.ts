import type { Projection } from '../projection';
import type { RecordedEvent } from '../../src/event-store/envelope';
import { TARGET_EVENT_TYPES, TargetEvent } from '../../src/polling/events/target.events';
import { evolveTarget, TargetState } from '../../src/polling/target.state';

/**
 * `rm_targets`: one row per target, keyed `type::name`. The row is the target aggregate's state
 * (src/polling/target.state.ts), folded by the aggregate's own evolve: one fold of target events,
 * so the scheduler, the deciders and the views (scheduler health, ops health, the target API)
 * cannot disagree about a target.
 * v2: rebuilt so `lastError` messages recorded before PollFailed v2 are read through its upcaster
 * (no response content). v3: `lastWrite` (ops health's lastBackupWrite).
 */
export const targetsProjection: Projection<TargetState> = {
  name: 'targets',
  version: 3,
  inline: false,
  canHandle: TARGET_EVENT_TYPES,
  keysOf: (e: RecordedEvent) => [(e.data as { key: string }).key],
  evolve: (row, e) => evolveTarget(row, e as unknown as TargetEvent),
};
