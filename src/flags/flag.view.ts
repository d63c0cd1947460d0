import { createHash } from 'node:crypto';
import type { FlagRow } from '../../projections/flags/flag-row';
import { effectiveValue } from './flag-value';

/** A flag as GET /api/flags serves it: its definition, the value it serves now and where that comes from. */
export function flagView(row: FlagRow, now: Date) {
  const effective = effectiveValue(row, now);
  return {
    key: row.key,
    description: row.description,
    type: row.type,
    defaultValue: row.defaultValue,
    value: effective.value,
    source: effective.source,
    expiresAt: effective.expiresAt,
    setBy: effective.source === 'set' ? row.current!.setBy : null,
    setAt: effective.source === 'set' ? row.current!.setAt : null,
    updatedAt: row.updatedAt,
  };
}
export type FlagView = ReturnType<typeof flagView>;

/**
 * A strong ETag of what a body says. Computed from the effective values, so it changes the moment a
 * temporary value expires, before the expiry loop records it.
 */
export const etagOf = (body: unknown) => `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;

/** If-None-Match (RFC 9110): a list of entity tags, weak ones compared weakly, or `*`. */
export function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const tags = [header]
    .flat()
    .flatMap((h) => h.split(','))
    .map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}
