import { int } from './env-var';

export const pointInTimeEnv = {
  snapshotIntervalMs: int('PIT_SNAPSHOT_INTERVAL_MS', 600_000, 'How often read models used by ?at= are snapshotted (when they changed).', { min: 100 }),
  snapshotEveryEvents: int(
    'PIT_SNAPSHOT_EVERY_EVENTS',
    20_000,
    'Also snapshot a read model used by ?at= as soon as this many events were appended since its last snapshot (checked every PIT_SNAPSHOT_CHECK_MS; 0 = by time only): ?at= folds at most about this many events after a snapshot.',
    { min: 0 },
  ),
  snapshotCheckMs: int('PIT_SNAPSHOT_CHECK_MS', 15_000, 'How often the snapshotter counts the events since each snapshot (PIT_SNAPSHOT_EVERY_EVENTS).', {
    min: 100,
  }),
  snapshotKeepDays: int('PIT_SNAPSHOT_KEEP_DAYS', 7, 'Snapshots older than this are thinned to one per day.', { min: 1 }),
  settledAfterMs: int(
    'PIT_SETTLED_AFTER_MS',
    60_000,
    'An event commits at most this long after it was recorded: ?at= folds from this far before a snapshot, and an answer at an instant at least this old never changes, so it is cached.',
    { min: 0 },
  ),
  answerCacheMaxBytes: int(
    'PIT_ANSWER_CACHE_MAX_BYTES',
    64 * 2 ** 20,
    'Memory bound of the cached past ?at= answers (least recently used first out; 0 = no cache).',
    {
      min: 0,
    },
  ),
  answerCacheMaxEntries: int('PIT_ANSWER_CACHE_MAX_ENTRIES', 1000, 'At most this many cached past ?at= answers.', { min: 1 }),
} as const;
