import type { Queryable } from '../event-store/postgres/postgres-event-store';

/** The newest link of the audit chain: its number (1 = first audit event) and MAC. */
export interface ChainHead {
  readonly position: bigint;
  readonly eventId: string | null;
  readonly mac: string;
}

/** A head as published (`<position>:<mac>`), to check a later `audit verify` against. */
export type PublishedHead = Pick<ChainHead, 'position' | 'mac'>;

export async function readChainHead(db: Queryable): Promise<ChainHead> {
  const { rows } = await db.query<{ last_event_id: string | null; last_hash: string; length: string }>(
    'SELECT last_event_id, last_hash, length FROM audit_chain_head WHERE id = 1',
  );
  return { position: BigInt(rows[0].length), eventId: rows[0].last_event_id, mac: rows[0].last_hash };
}

export const formatHead = (h: PublishedHead) => `${h.position}:${h.mac}`;

/** Parses `<position>:<mac>` as logged in audit.chain_head; throws with what is expected. */
export function parseHead(text: string): PublishedHead {
  const m = /^(\d{1,18}):([0-9a-f]{64})$/.exec(text.trim());
  if (!m || m[1] === '0')
    throw new Error(`--head must be <position>:<mac> as published in the audit.chain_head log line (e.g. 42:9a4e…, 64 hex digits), got "${text}"`);
  return { position: BigInt(m[1]), mac: m[2] };
}
