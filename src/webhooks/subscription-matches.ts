import type { WebhookSubscriptionRow } from '../../projections/webhooks/webhook-subscription-row';
import type { RecordedEvent } from '../event-store/envelope';
import { eventMatches } from '../event-store/event-filter';
import { isPublicEventType } from './public-event-types';

/**
 * Whether a subscription wants an event: one of its types, of its tenant when it has one (the
 * event's `data.tenant` or `metadata.tenant`, as every tenant filter of the log reads it), and
 * appended after the subscription was created (it does not receive the past).
 */
export function subscriptionWants(s: WebhookSubscriptionRow, e: RecordedEvent): boolean {
  if (s.deletedAt || !isPublicEventType(e.type)) return false;
  if (e.position <= BigInt(s.sincePosition)) return false;
  return eventMatches({ types: s.eventTypes, ...(s.tenant !== null ? { tenant: s.tenant } : {}) }, e);
}
