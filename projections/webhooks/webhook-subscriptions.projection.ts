import type { RecordedEvent } from '../../src/event-store/envelope';
import { SUBSCRIPTION_EVENT_TYPES, WebhookSubscriptionEvent } from '../../src/webhooks/webhook.events';
import type { Projection } from '../projection';
import type { WebhookSubscriptionRow } from './webhook-subscription-row';

/** Inline: a subscription receives events from the moment it is created. One stream per subscription. */
export const webhookSubscriptionsProjection: Projection<WebhookSubscriptionRow> = {
  name: 'webhook_subscriptions',
  version: 1,
  inline: true,
  canHandle: SUBSCRIPTION_EVENT_TYPES,
  keysOf: (e) => [(e.data as { subscriptionId: string }).subscriptionId],
  evolve(row, event: RecordedEvent) {
    const e = event as unknown as WebhookSubscriptionEvent;
    if (e.type === 'WebhookSubscriptionCreated') {
      const { subscriptionId, ...d } = e.data;
      return { id: subscriptionId, ...d, sincePosition: event.position.toString(), deletedAt: null, deletedBy: null, deleteReason: null };
    }
    if (!row) return null;
    return { ...row, deletedAt: e.data.deletedAt, deletedBy: e.data.deletedBy, deleteReason: e.data.reason };
  },
};
