import type { Checkpoint } from '../event-store/envelope';
import { BadInput } from '../shared/errors';

export function encodeTimelineCursor(checkpoint: Checkpoint): string {
  return Buffer.from(checkpoint).toString('base64url');
}

/**
 * The checkpoint after which the next page starts. Anything this endpoint did not hand out — not
 * base64url, not a checkpoint of this store once decoded — is a 400 naming `cursor`, never
 * silently the start of the window.
 */
export function decodeTimelineCursor(cursor: string, isCheckpoint: (text: string) => boolean): Checkpoint {
  const bad = () => BadInput.field('cursor', 'is not a cursor this endpoint returned (pass nextCursor back unchanged)');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeTimelineCursor(text) !== cursor || !isCheckpoint(text)) throw bad();
  return text;
}
