import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import type { WebhookSubscriptionRow } from '../../projections/webhooks/webhook-subscription-row';

/** A subscription as the API shows it: never its secret (shown once, when created). */
export function subscriptionView(r: WebhookSubscriptionRow) {
  const { secret: _secret, sincePosition: _since, ...rest } = r;
  return rest;
}
export type SubscriptionView = ReturnType<typeof subscriptionView>;

export const deliveryView = (r: WebhookDeliveryRow) => r;
