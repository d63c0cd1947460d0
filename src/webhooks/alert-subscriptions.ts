import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { WebhookSubscriptionRow } from '../../projections/webhooks/webhook-subscription-row';
import { AuditRecorder } from '../audit/audit-recorder';
import { systemOperator } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ConfigError } from '../config/env-var';
import type { EventToAppend } from '../event-store/envelope';
import { StreamAppend, sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { fold, isRejection } from '../shared/decider';
import { WebhookSecrets } from './webhook-secret';
import { subscriptionDecider } from './webhook-subscription.decider';
import { subscriptionStream, WebhookSubscriptionEvent } from './webhook.events';
import { WEBHOOK_SECRETS } from './webhooks.di';

export const ALERT_EVENT_TYPES = ['AlertFired', 'AlertResolved'];

/**
 * The alert webhooks of ALERT_WEBHOOK_URLS are webhook subscriptions (source `alert-config`,
 * no tenant, AlertFired and AlertResolved), reconciled at start-up the way the config file's job
 * definitions are: a URL new to the list is subscribed, one that left it (or whose secret no longer
 * matches ALERT_WEBHOOK_SECRET) is deleted; audited as one system action, nothing when nothing
 * changes. Subscriptions made through the API are never touched.
 */
@Injectable()
export class AlertSubscriptions implements OnApplicationBootstrap {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.core.appMode === 'worker') return;
    await this.reconcile();
  }

  async reconcile(): Promise<{ created: string[]; deleted: string[] }> {
    const urls = [
      ...new Set(
        (this.config.alerts.webhookUrls ?? '')
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean),
      ),
    ];
    const secret = this.config.alerts.webhookSecret; // its form is checked with the rest of the config
    const ctx = systemOperator(`alert-webhooks-${randomUUID()}`);
    const none = { created: [] as string[], deleted: [] as string[] };
    return this.audit.act(
      ctx,
      { action: 'webhook.reconcile_alert_config', target: 'alert-config', reason: 'ALERT_WEBHOOK_URLS at start-up' },
      {
        apply: async (unit) => {
          const sql = sqlOf(unit.uow);
          const { rows } = await sql.query<{ doc: WebhookSubscriptionRow }>(
            `SELECT doc FROM rm_webhook_subscriptions WHERE NOT deleted AND doc->>'source' = 'alert-config'`,
          );
          const stale = rows.map((r) => r.doc).filter((s) => !urls.includes(s.url) || (secret !== undefined && this.secrets.open(s.secret) !== secret));
          const kept = new Set(
            rows
              .map((r) => r.doc)
              .filter((s) => !stale.includes(s))
              .map((s) => s.url),
          );
          const fresh = urls.filter((u) => !kept.has(u));
          if (!stale.length && !fresh.length) return none;
          const now = this.clock.now();
          const appends: StreamAppend[] = [];
          const created: string[] = [];
          for (const url of fresh) {
            const id = randomUUID();
            const decided = subscriptionDecider.decide(
              {
                kind: 'create',
                subscriptionId: id,
                tenant: null,
                url,
                eventTypes: ALERT_EVENT_TYPES,
                secret: this.secrets.seal(secret ?? WebhookSecrets.generate()),
                maxConcurrency: null,
                description: 'ALERT_WEBHOOK_URLS',
                source: 'alert-config',
                actor: ctx.actor,
                now,
              },
              subscriptionDecider.initialState,
            );
            if (isRejection(decided)) throw new ConfigError('ALERT_WEBHOOK_URLS', `"${url}": ${decided.reason}`);
            appends.push({ streamId: subscriptionStream(id), events: decided as EventToAppend[], expected: 'no_stream' });
            created.push(id);
          }
          for (const s of stale) {
            const history = await unit.uow.readStream(subscriptionStream(s.id));
            const state = fold(
              subscriptionDecider,
              history.map((e) => e as unknown as WebhookSubscriptionEvent),
            );
            const reason = urls.includes(s.url) ? 'ALERT_WEBHOOK_SECRET changed' : 'no longer in ALERT_WEBHOOK_URLS';
            const decided = subscriptionDecider.decide({ kind: 'delete', subscriptionId: s.id, callerTenant: null, reason, actor: ctx.actor, now }, state);
            if (isRejection(decided)) throw new Error(decided.reason);
            appends.push({ streamId: subscriptionStream(s.id), events: decided as EventToAppend[], expected: BigInt(history.length - 1) });
          }
          await unit.record('applied', { subscribed: fresh, deleted: stale.map((s) => s.url) });
          await unit.uow.appendMany(appends.map((a) => ({ ...a, events: a.events.map((e) => ({ ...e, metadata: unit.metadata })) })));
          return { created, deleted: stale.map((s) => s.id) };
        },
      },
      { conflictRetries: 3 },
    );
  }
}
