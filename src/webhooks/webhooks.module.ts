import { Inject, Module } from '@nestjs/common';
import { webhookDeliveriesProjection } from '../../projections/webhooks/webhook-deliveries.projection';
import { webhookSubscriptionsProjection } from '../../projections/webhooks/webhook-subscriptions.projection';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { SERVER_KEYS, ServerKeys } from '../secrets/server-keys';
import { EventSummaries } from '../timeline/event-summaries';
import { AlertSubscriptions } from './alert-subscriptions';
import { InboxActionHandler } from './inbox.commands';
import { ListFailuresHandler } from './list-failures.query';
import { ListSubscriptionsHandler } from './list-subscriptions.query';
import { CreateSubscriptionHandler, DeleteSubscriptionHandler } from './subscription.commands';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookSecrets } from './webhook-secret';
import { WebhooksController } from './webhooks.controller';
import { WEBHOOK_SECRETS } from './webhooks.di';

@Module({
  controllers: [WebhooksController],
  providers: [
    {
      provide: WEBHOOK_SECRETS,
      inject: [APP_CONFIG, SERVER_KEYS],
      useFactory: (config: AppConfig, keys: ServerKeys) => new WebhookSecrets(config.webhooks.secretsKey, keys.tokenHash),
    },
    CreateSubscriptionHandler,
    DeleteSubscriptionHandler,
    InboxActionHandler,
    ListSubscriptionsHandler,
    ListFailuresHandler,
    WebhookDispatcher,
    AlertSubscriptions,
  ],
  exports: [WebhookDispatcher, AlertSubscriptions],
})
export class WebhooksModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries, @Inject(EVENT_STORE) store: EventStore) {
    registry.register(webhookSubscriptionsProjection, webhookDeliveriesProjection);
    // Inline: the dispatcher reads due deliveries, and each command answers with its row, in the unit that wrote it.
    store.registerInline(webhookSubscriptionsProjection);
    store.registerInline(webhookDeliveriesProjection);
    type D = Record<string, string | number | null>;
    const d = (e: { data: unknown }) => e.data as D;
    summaries.register(
      'WebhookSubscriptionCreated',
      (e) =>
        `webhook subscription to ${(d(e).eventTypes as unknown as string[]).join(', ')} at ${new URL(String(d(e).url)).origin} created by ${d(e).createdBy}`,
    );
    summaries.register(
      'WebhookSubscriptionDeleted',
      (e) => `webhook subscription ${String(d(e).subscriptionId).slice(0, 8)}… deleted by ${d(e).deletedBy}: "${d(e).reason}"`,
    );
    summaries.register(
      'WebhookDeliveryQueued',
      (e) => `${d(e).eventType} queued for webhook subscription ${String(d(e).subscriptionId).slice(0, 8)}…${d(e).replayOf ? ' (replay)' : ''}`,
    );
    const attempt = (e: { data: unknown }) => `attempt ${d(e).attempt}: ${d(e).status ?? d(e).errorKind} in ${d(e).durationMs} ms`;
    summaries.register('WebhookDeliverySucceeded', (e) => `webhook delivered, ${attempt(e)}`);
    summaries.register('WebhookDeliveryAttempted', (e) => `webhook delivery failed, ${attempt(e)} (${d(e).error}); retry at ${d(e).nextAttemptAt}`);
    summaries.register('WebhookDeliveryFailed', (e) => `webhook delivery failed for good, ${attempt(e)} (${d(e).error}): in the failures inbox`);
    summaries.register('WebhookDeliveryDropped', () => 'webhook delivery dropped: its subscription was deleted');
    summaries.register('WebhookFailureReplayed', (e) => `failed webhook delivery replayed by ${d(e).actor}: "${d(e).reason}"`);
    summaries.register('WebhookFailureSuppressed', (e) => `failed webhook delivery suppressed by ${d(e).actor}: "${d(e).reason}"`);
    summaries.register('WebhookFailureHandled', (e) => `failed webhook delivery marked handled by ${d(e).actor}: "${d(e).reason}"`);
  }
}
