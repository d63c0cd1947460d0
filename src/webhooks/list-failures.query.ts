import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import { PG_POOL } from '../database/database.module';
import { Clock, CLOCK } from '../shared/clock';
import { ListFailuresDto } from './webhooks.dto';

export class ListFailuresQuery extends Query<{ items: WebhookDeliveryRow[] }> {
  constructor(
    readonly filter: ListFailuresDto,
    /** A tenant-scoped caller sees its tenant's failures only, whatever `tenant` it asks for. */
    readonly scope: string | null,
  ) {
    super();
  }
}

/** The failures inbox: deliveries whose retries ran out, newest failure first. */
@QueryHandler(ListFailuresQuery)
export class ListFailuresHandler implements IQueryHandler<ListFailuresQuery> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ filter: f, scope }: ListFailuresQuery) {
    const where = ['failed_at IS NOT NULL'];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    const status = f.status ?? 'failed';
    if (status !== 'all') add('status = ?', status);
    if (scope !== null) add('tenant = ?', scope);
    if (f.tenant !== undefined) add('tenant = ?', f.tenant);
    if (f.subscriptionId) add('subscription_id = ?', f.subscriptionId);
    if (f.eventType) add('event_type = ?', f.eventType);
    const now = this.clock.now().getTime();
    // RFC 3339 UTC strings of one length sort as the instants they name.
    if (f.olderThanSeconds !== undefined) add('failed_at <= ?', new Date(now - f.olderThanSeconds * 1000).toISOString());
    if (f.newerThanSeconds !== undefined) add('failed_at >= ?', new Date(now - f.newerThanSeconds * 1000).toISOString());
    args.push(f.limit ?? 100);
    const { rows } = await this.pool.query<{ doc: WebhookDeliveryRow }>(
      `SELECT doc FROM rm_webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY failed_at DESC, key LIMIT $${args.length}`,
      args,
    );
    return { items: rows.map((r) => r.doc) };
  }
}
