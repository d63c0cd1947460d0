import type { RecordedEvent } from '../../src/event-store/envelope';
import type { RestoreDrillRecorded } from '../../src/backup/restore-drill-recorded.event';
import type { Projection } from '../projection';

export type RestoreDrillRow = RestoreDrillRecorded['data'];

/** Every recorded restore drill (one row each); ops health shows the latest. */
export const restoreDrillsProjection: Projection<RestoreDrillRow> = {
  name: 'restore_drills',
  version: 1,
  canHandle: ['RestoreDrillRecorded'],
  keysOf: (e) => [(e.data as RestoreDrillRow).drillId],
  evolve: (_row, e: RecordedEvent) => ({ ...(e.data as RestoreDrillRow) }),
};
