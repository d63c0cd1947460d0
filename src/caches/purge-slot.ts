import { createHash } from 'node:crypto';
import type { PurgeMatch } from './cache-purge.events';

/**
 * The stream of every purge of one cache and one key or pattern: its expected revision is what
 * keeps two purges of the same cache and pattern from running at once.
 */
export function purgeSlotStream(cache: string, match: PurgeMatch): string {
  const what = 'key' in match ? `key:${match.key}` : `pattern:${match.pattern}`;
  return `cache_purge-${cache}-${createHash('sha256').update(what).digest('hex').slice(0, 24)}`;
}

/** A pattern of nothing but `*` matches every key of the database. */
export const matchesEverything = (pattern: string) => /^\*+$/.test(pattern);

export const describeMatch = (m: PurgeMatch) => ('key' in m ? `key "${m.key}"` : `pattern "${m.pattern}"`);
