import type { RecordedEvent } from '../event-store/envelope';
import { publicEventData } from '../timeline/event-redaction';

/**
 * The body of a delivery, in the shape Standard Webhooks recommends (`type`, `timestamp`, `data`),
 * plus where the event sits in opsledger's log. `data` is the event's data as the timeline serves
 * it (secret fields removed).
 */
export function webhookPayload(e: RecordedEvent): string {
  return JSON.stringify({
    type: e.type,
    timestamp: e.recordedAt.toISOString(),
    data: publicEventData(e.type, e.data),
    eventId: e.eventId,
    streamId: e.streamId,
  });
}
