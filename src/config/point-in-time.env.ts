import { int } from './env-var';

export const pointInTimeEnv = {
  snapshotIntervalMs: int('PIT_SNAPSHOT_INTERVAL_MS', 600_000, 'How often read models used by ?at= are snapshotted (when they changed).', { min: 100 }),
  snapshotKeepDays: int('PIT_SNAPSHOT_KEEP_DAYS', 7, 'Snapshots older than this are thinned to one per day.', { min: 1 }),
} as const;
