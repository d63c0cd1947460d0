import type { WebhookDeliveryRow } from '../../../projections/webhooks/webhook-delivery-row';
import type { AttentionSource } from '../attention-source';
import { iso, oneLine } from '../attention-source';

/**
 * Deliveries in the webhook failures inbox (retries spent, nobody replayed, suppressed or handled
 * them yet): one item per subscription and tenant. Warning. The drill-in is the inbox filtered to
 * the subscription.
 */
export const webhookFailuresSource: AttentionSource = {
  name: 'webhook-failures',
  kinds: ['webhook_failure'],
  reach: 'tenant',
  items: ({ webhookFailures }) => {
    const groups = new Map<string, WebhookDeliveryRow[]>();
    for (const d of webhookFailures) {
      if (d.status !== 'failed' || !d.failedAt) continue;
      const k = `${d.subscriptionId}\u0000${d.tenant ?? ''}`;
      groups.set(k, [...(groups.get(k) ?? []), d]);
    }
    return [...groups.values()].map((ds) => {
      const sorted = ds.sort((a, b) => Date.parse(a.failedAt!) - Date.parse(b.failedAt!) || (a.id < b.id ? -1 : 1));
      const last = sorted[sorted.length - 1];
      const why = last.lastErrorKind === 'http_status' ? `HTTP ${last.lastStatus}` : (last.lastErrorKind ?? 'failed');
      return {
        kind: 'webhook_failure',
        severity: 'warning',
        since: iso(sorted[0].failedAt!),
        summary: `webhook subscription ${last.subscriptionId}: ${sorted.length === 1 ? '1 failed delivery' : `${sorted.length} failed deliveries`} in the inbox; latest: ${last.eventType}, ${oneLine(why, 60)}`,
        href: `/api/webhooks/failures?subscriptionId=${last.subscriptionId}`,
        tenant: last.tenant,
        subject: last.subscriptionId,
      };
    });
  },
};
