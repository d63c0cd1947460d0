import type { RecordedEvent } from '../../src/event-store/envelope';
import { AttemptRecord, DELIVERY_EVENT_TYPES, WebhookDeliveryEvent } from '../../src/webhooks/webhook.events';
import type { Projection } from '../projection';
import type { WebhookDeliveryRow } from './webhook-delivery-row';

const attempted = (row: WebhookDeliveryRow, a: AttemptRecord): WebhookDeliveryRow => ({
  ...row,
  attempts: a.attempt,
  lastAttemptAt: a.attemptedAt,
  lastStatus: a.status,
  lastErrorKind: a.errorKind,
  lastError: a.error,
  lastResponseSnippet: a.responseSnippet,
  lastDurationMs: a.durationMs,
});

/**
 * Inline: the dispatcher reads due deliveries from it right after they are queued or retried, and
 * an inbox action answers with its row. One stream per delivery.
 */
export const webhookDeliveriesProjection: Projection<WebhookDeliveryRow> = {
  name: 'webhook_deliveries',
  version: 1,
  inline: true,
  canHandle: DELIVERY_EVENT_TYPES,
  keysOf: (e) => [(e.data as { deliveryId: string }).deliveryId],
  evolve(row, event: RecordedEvent) {
    const e = event as unknown as WebhookDeliveryEvent;
    if (e.type === 'WebhookDeliveryQueued') {
      const d = e.data;
      return {
        id: d.deliveryId,
        messageId: d.messageId,
        subscriptionId: d.subscriptionId,
        tenant: d.tenant,
        eventId: d.eventId,
        eventType: d.eventType,
        replayOf: d.replayOf,
        status: 'pending',
        attempts: 0,
        queuedAt: d.queuedAt,
        nextAttemptAt: d.queuedAt,
        lastAttemptAt: null,
        lastStatus: null,
        lastErrorKind: null,
        lastError: null,
        lastResponseSnippet: null,
        lastDurationMs: null,
        failedAt: null,
        resolution: null,
      };
    }
    if (!row) return null;
    switch (e.type) {
      case 'WebhookDeliveryAttempted':
        return { ...attempted(row, e.data), nextAttemptAt: e.data.nextAttemptAt };
      case 'WebhookDeliverySucceeded':
        return { ...attempted(row, e.data), status: 'delivered', nextAttemptAt: null };
      case 'WebhookDeliveryFailed':
        return { ...attempted(row, e.data), status: 'failed', nextAttemptAt: null, failedAt: e.data.attemptedAt };
      case 'WebhookDeliveryDropped':
        return { ...row, status: 'dropped', nextAttemptAt: null };
      case 'WebhookFailureReplayed':
        return {
          ...row,
          status: 'replayed',
          resolution: { action: 'replayed', actor: e.data.actor, reason: e.data.reason, at: e.data.at, replayDeliveryId: e.data.replayDeliveryId },
        };
      case 'WebhookFailureSuppressed':
        return {
          ...row,
          status: 'suppressed',
          resolution: { action: 'suppressed', actor: e.data.actor, reason: e.data.reason, at: e.data.at, replayDeliveryId: null },
        };
      case 'WebhookFailureHandled':
        return {
          ...row,
          status: 'handled',
          resolution: { action: 'handled', actor: e.data.actor, reason: e.data.reason, at: e.data.at, replayDeliveryId: null },
        };
    }
  },
};
