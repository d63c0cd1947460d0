import { createHash } from 'node:crypto';

/** JSON with keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

/** What a chain link commits to: the event's identity, time and every data field but the hash itself. */
export interface ChainedFields {
  readonly eventId: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

export function chainHash(prevHash: string, e: ChainedFields): string {
  const { hash: _hash, ...data } = e.data;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ eventId: e.eventId, streamId: e.streamId, occurredAt: e.occurredAt, data }))
    .digest('hex');
}
