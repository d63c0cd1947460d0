import { DomainEvent } from '../event-store/envelope';

export type RestoreDrillRecorded = DomainEvent<
  'RestoreDrillRecorded',
  {
    drillId: string;
    owner: string;
    result: 'passed' | 'failed';
    notes: string | null;
    eventsRestored: number | null;
    durationSeconds: number | null;
    performedAt: string;
  }
>;

/** All drills in one stream: they are rare, and "the latest" is what ops health asks. */
export const RESTORE_DRILL_STREAM = 'restore-drills';
