import { int } from './env-var';

/** What-if replay (POST /api/replay/what-if): how much history one request may replay, and how it reads it. */
export const replayEnv = {
  maxWindowDays: int('REPLAY_MAX_WINDOW_DAYS', 31, 'Longest window a what-if replay accepts.', { min: 1, max: 3660 }),
  pageSize: int('REPLAY_PAGE_SIZE', 2000, 'Events read per query while streaming a what-if window (bounds memory).', { min: 10, max: 100_000 }),
  statementTimeoutMs: int('REPLAY_STATEMENT_TIMEOUT_MS', 30_000, 'Longest a single what-if read query may run (0 = no limit).', { min: 0 }),
} as const;
