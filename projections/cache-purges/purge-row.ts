import type { PurgeMatch, PurgeOutcome } from '../../src/caches/cache-purge.events';

/** One purge as the API serves it. */
export interface PurgeRow {
  readonly id: string;
  readonly cache: string;
  readonly match: PurgeMatch;
  readonly state: 'running' | PurgeOutcome;
  readonly scanned: number;
  readonly removed: number;
  readonly reason: string;
  readonly startedBy: string;
  readonly startedAt: string;
  readonly lastProgressAt: string;
  readonly cancelRequested: { readonly by: string; readonly reason: string; readonly at: string } | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
}
