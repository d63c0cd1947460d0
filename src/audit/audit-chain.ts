import { createHash, createHmac } from 'node:crypto';
import type { StreamReader } from '../event-store/event-store.port';

/** JSON with keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Links carry `chain: 2` in their data since ADR 0007; links without it are the older scheme. */
export const CHAIN_VERSION = 2;

/** The action of the link that hands the chain from one AUDIT_CHAIN_KEY to the next. */
export const KEY_ROTATION_ACTION = 'audit.key_rotated';

/** The action recorded at start when the chain still ends in unkeyed links (see legacySeal). */
export const SEAL_ACTION = 'audit.chain_sealed';

/** The chain head row as the recorder locks it. */
export interface LockedHead {
  readonly last_hash: string;
  readonly last_event_id: string | null;
  readonly length: string;
}

export const LOCK_HEAD_SQL = 'SELECT last_hash, last_event_id, length FROM audit_chain_head WHERE id = 1 FOR UPDATE';

/**
 * The first keyed link after unkeyed (version 1) ones states how many there are, under its MAC.
 * Verify accepts unkeyed links only when such a seal follows them, so a history rewritten
 * without the key into version-1 links (which needs no key) is refused too. Call with the unit
 * that locked the head, after the lock (a read of its own, so it sees the link committed just
 * before the lock was won).
 */
export async function legacySeal(log: Pick<StreamReader, 'readEvents'>, head: LockedHead): Promise<{ sealsLegacyLinks?: number }> {
  if (head.length === '0' || !head.last_event_id) return {};
  const [last] = await log.readEvents([head.last_event_id]);
  const chain = (last?.data as { chain?: unknown } | null)?.chain;
  return last && (chain === undefined || chain === null) ? { sealsLegacyLinks: Number(head.length) } : {};
}

/**
 * What a link commits to (version 2): the whole stored event — identity, type, every data field
 * but the MAC itself, and the metadata (actor, tenant, time, correlation) — keyed with
 * AUDIT_CHAIN_KEY, which the database never holds. Rewriting history therefore needs the key.
 */
export interface ChainLink {
  readonly eventId: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export function chainMac(key: Buffer, prevHash: string, e: ChainLink): string {
  const { hash: _hash, ...data } = e.data;
  return createHmac('sha256', key)
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ v: CHAIN_VERSION, eventId: e.eventId, streamId: e.streamId, type: e.type, data, metadata: e.metadata }))
    .digest('hex');
}

/**
 * A rotation link's proof that the holder of the old key handed over: HMAC(old key) of the link it
 * follows and the new key's id.
 */
export function rotationEndorsement(oldKey: Buffer, prevHash: string, newKeyId: string): string {
  return createHmac('sha256', oldKey).update(`opsledger-audit-key-rotation\n${prevHash}\n${newKeyId}`).digest('hex');
}

/** What a version-1 link (before ADR 0007) committed to: identity, time and data, no metadata, no key. */
export interface LegacyChainedFields {
  readonly eventId: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

/** The version-1 link: plain SHA-256. Still verified for links written before ADR 0007. */
export function legacyChainHash(prevHash: string, e: LegacyChainedFields): string {
  const { hash: _hash, ...data } = e.data;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ eventId: e.eventId, streamId: e.streamId, occurredAt: e.occurredAt, data }))
    .digest('hex');
}
