import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { WebhookSubscriptionRow } from '../../projections/webhooks/webhook-subscription-row';
import { PG_POOL } from '../database/database.module';
import { subscriptionView, SubscriptionView } from './webhook.views';

export class ListSubscriptionsQuery extends Query<{ items: SubscriptionView[] }> {
  constructor(
    /** A tenant-scoped caller sees its tenant's subscriptions only. */
    readonly tenant: string | null,
  ) {
    super();
  }
}

/** Active subscriptions, newest first (deleted ones stay in the log and the timeline). */
@QueryHandler(ListSubscriptionsQuery)
export class ListSubscriptionsHandler implements IQueryHandler<ListSubscriptionsQuery> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ tenant }: ListSubscriptionsQuery) {
    const { rows } = await this.pool.query<{ doc: WebhookSubscriptionRow }>(
      `SELECT doc FROM rm_webhook_subscriptions WHERE NOT deleted AND ($1::text IS NULL OR tenant = $1) ORDER BY doc->>'createdAt' DESC, key LIMIT 1000`,
      [tenant],
    );
    return { items: rows.map((r) => subscriptionView(r.doc)) };
  }
}
