import { decodeCheckpoint, encodeCheckpoint } from '../event-store/postgres/checkpoint';
import { BadInput } from '../shared/errors';

/** Largest xid8 (unsigned 64 bits) and bigint (signed 64 bits): past them PostgreSQL fails the query. */
const MAX_XID8 = 18_446_744_073_709_551_615n;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

export function encodeTimelineCursor(checkpoint: string): string {
  return Buffer.from(checkpoint).toString('base64url');
}

/**
 * The position after which the next page starts. Anything this endpoint did not hand out — not
 * base64url, not a checkpoint once decoded, numbers PostgreSQL cannot hold — is a 400 naming
 * `cursor`, never silently the start of the window.
 */
export function decodeTimelineCursor(cursor: string): { txId: string; position: bigint } {
  const bad = () => BadInput.field('cursor', 'is not a cursor this endpoint returned (pass nextCursor back unchanged)');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeTimelineCursor(text) !== cursor) throw bad();
  let decoded: { txId: string; position: bigint };
  try {
    decoded = decodeCheckpoint(text);
  } catch {
    throw bad();
  }
  if (!text || BigInt(decoded.txId) > MAX_XID8 || decoded.position > MAX_BIGINT) throw bad();
  // Round trip: "007:1" is not what this endpoint hands out either.
  if (encodeCheckpoint(decoded.txId, decoded.position) !== text) throw bad();
  return decoded;
}
