import { Checkpoint } from '../envelope';

/** A PostgreSQL checkpoint is the commit-order pair (transaction_id, position). */
export function encodeCheckpoint(txId: string, position: bigint): Checkpoint {
  return `${txId}:${position}`;
}

export function decodeCheckpoint(checkpoint: Checkpoint | null): { txId: string; position: bigint } {
  if (!checkpoint) return { txId: '0', position: 0n };
  const m = /^(\d+):(\d+)$/.exec(checkpoint);
  if (!m) throw new Error(`not a PostgreSQL event-store checkpoint: "${checkpoint}"`);
  return { txId: m[1], position: BigInt(m[2]) };
}
