import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { foldInMemory } from '../projection';
import { webhookDeliveriesProjection } from './webhook-deliveries.projection';
import { webhookSubscriptionsProjection } from './webhook-subscriptions.projection';

const attempt = {
  deliveryId: 'd1',
  subscriptionId: 's1',
  tenant: 'acme',
  status: 500,
  durationMs: 7,
  errorKind: 'http_status',
  error: 'HTTP 500',
  responseSnippet: 'oops',
};

describe('webhook read models', () => {
  it('a delivery is pending until its retries run out, then failed (in the inbox) until somebody acts on it', async () => {
    const s = new InMemoryEventStore();
    await s.append(
      'webhook-delivery-d1',
      [
        {
          type: 'WebhookDeliveryQueued',
          data: {
            deliveryId: 'd1',
            messageId: 'd1',
            subscriptionId: 's1',
            tenant: 'acme',
            eventId: 'e1',
            eventType: 'RunFailed',
            replayOf: null,
            queuedAt: '2026-11-26T10:00:00.000Z',
          },
        },
        {
          type: 'WebhookDeliveryAttempted',
          data: { ...attempt, attempt: 1, attemptedAt: '2026-11-26T10:00:01.000Z', nextAttemptAt: '2026-11-26T10:00:06.000Z' },
        },
      ],
      'no_stream',
    );
    let row = foldInMemory(webhookDeliveriesProjection, await s.readAll(null, 10)).get('d1');
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: '2026-11-26T10:00:06.000Z',
      lastStatus: 500,
      lastResponseSnippet: 'oops',
      failedAt: null,
    });
    await s.append(
      'webhook-delivery-d1',
      [
        { type: 'WebhookDeliveryFailed', data: { ...attempt, attempt: 2, attemptedAt: '2026-11-26T10:00:06.000Z', eventType: 'RunFailed' } },
        {
          type: 'WebhookFailureSuppressed',
          data: { deliveryId: 'd1', tenant: 'acme', reason: 'receiver retired', actor: 'alice', at: '2026-11-26T11:00:00.000Z' },
        },
      ],
      1n,
    );
    row = foldInMemory(webhookDeliveriesProjection, await s.readAll(null, 10)).get('d1');
    expect(row).toMatchObject({
      status: 'suppressed',
      attempts: 2,
      nextAttemptAt: null,
      failedAt: '2026-11-26T10:00:06.000Z',
      resolution: { action: 'suppressed', actor: 'alice', reason: 'receiver retired', replayDeliveryId: null },
    });
  });

  it('a deleted subscription keeps its row with who deleted it and why', async () => {
    const s = new InMemoryEventStore();
    const secret = { sealed: 'x', keyId: 'k' };
    await s.append(
      'webhook-subscription-s1',
      [
        {
          type: 'WebhookSubscriptionCreated',
          data: {
            subscriptionId: 's1',
            tenant: null,
            url: 'https://h.example.com/',
            eventTypes: ['AlertFired'],
            secret,
            maxConcurrency: null,
            description: null,
            source: 'api',
            createdBy: 'alice',
            createdAt: '2026-11-26T10:00:00.000Z',
          },
        },
        {
          type: 'WebhookSubscriptionDeleted',
          data: { subscriptionId: 's1', tenant: null, reason: 'gone', deletedBy: 'bob', deletedAt: '2026-11-26T11:00:00.000Z' },
        },
      ],
      'no_stream',
    );
    expect(foldInMemory(webhookSubscriptionsProjection, await s.readAll(null, 10)).get('s1')).toMatchObject({
      id: 's1',
      url: 'https://h.example.com/',
      deletedBy: 'bob',
      deleteReason: 'gone',
    });
  });
});
