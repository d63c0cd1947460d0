import { createHash } from 'node:crypto';

/**
 * The delivery of one event to one subscription always has the same id (a UUID-shaped digest of
 * both), so its stream can be created once only: a second dispatcher, or one restarted from an
 * older checkpoint, cannot queue it twice.
 */
export function deliveryIdFor(subscriptionId: string, eventId: string): string {
  const h = createHash('sha256').update(`${subscriptionId}\u0000${eventId}`).digest('hex');
  // RFC 9562 version 8 (custom) with the variant bits set.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
