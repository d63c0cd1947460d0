import { Checkpoint } from '../envelope';

/** Largest xid8 (unsigned 64 bits) and bigint (signed 64 bits): past them PostgreSQL fails the query. */
const MAX_XID8 = 18_446_744_073_709_551_615n;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

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

/** Well formed, within what PostgreSQL can hold, and written as this store writes it ("007:1" is not). */
export function isCheckpoint(text: string): boolean {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) return false;
  const [tx, position] = [BigInt(m[1]), BigInt(m[2])];
  return tx <= MAX_XID8 && position <= MAX_BIGINT && encodeCheckpoint(tx.toString(), position) === text;
}

/** Commit order of two checkpoints (null: before the first event): negative, zero or positive. */
export function compareCheckpoints(a: Checkpoint | null, b: Checkpoint | null): number {
  const x = decodeCheckpoint(a);
  const y = decodeCheckpoint(b);
  const tx = BigInt(x.txId) - BigInt(y.txId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  return x.position === y.position ? 0 : x.position < y.position ? -1 : 1;
}
