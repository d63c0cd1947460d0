import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { AlertRow, alertsProjection } from '../../projections/alerts/alerts.projection';
import { webhookDeliveriesProjection } from '../../projections/webhooks/webhook-deliveries.projection';
import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import { inScope } from '../access/tenant-scope';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { HealthViews, opsHealthConfig } from '../health/health-views.service';
import { assessOpsHealth } from '../health/ops-health.rules';
import { JobsViews } from '../jobs/jobs-views.service';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { Clock, CLOCK } from '../shared/clock';
import type { AttentionFacts } from './attention-facts';

/**
 * Gathers the attention facts at one instant, for one scope (null: everything): live from the read
 * models (ten queries unscoped, nine scoped, however many items there are), or as of `at` from the
 * same projections folded up to then by PointInTime (the `?at=` of /api/jobs and /api/ops/health).
 * The jobs and the ops-health parts come from their own capabilities' readers, so they judge as
 * those endpoints do.
 */
@Injectable()
export class AttentionReader {
  constructor(
    private readonly jobs: JobsViews,
    private readonly health: HealthViews,
    private readonly pit: PointInTime,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    pit.use(alertsProjection, webhookDeliveriesProjection);
  }

  async facts(at: Date | null, scope: string | null): Promise<AttentionFacts> {
    const now = at ?? this.clock.now();
    const [jobs, ops, alerts, webhookFailures] = await Promise.all([
      this.jobs.attentionSignals(at, scope, now),
      this.health.facts(at, scope),
      // Alerts span tenants: a scoped caller gets none, so they are not read for one.
      scope === null ? this.alerts(at) : Promise.resolve([]),
      this.webhookFailures(at, scope),
    ]);
    const { loops, pauses, held, maintenance } = assessOpsHealth(ops.body, now, opsHealthConfig(this.config));
    return {
      now,
      jobs: jobs.body.jobs,
      failedRuns: jobs.body.failedRuns,
      targets: ops.body.targets,
      ops: { loops, pauses, held, maintenance },
      alerts,
      webhookFailures,
    };
  }

  private async alerts(at: Date | null): Promise<AlertRow[]> {
    if (at) return [...(await this.pit.rowsAt(alertsProjection, at)).values()];
    return (await this.pool.query<{ doc: AlertRow }>('SELECT doc FROM rm_alerts')).rows.map((r) => r.doc);
  }

  private async webhookFailures(at: Date | null, scope: string | null): Promise<WebhookDeliveryRow[]> {
    if (at) return [...(await this.pit.rowsAt(webhookDeliveriesProjection, at)).values()].filter((d) => d.status === 'failed' && inScope(scope, d.tenant));
    const { rows } = await this.pool.query<{ doc: WebhookDeliveryRow }>(
      `SELECT doc FROM rm_webhook_deliveries WHERE status = 'failed' AND ($1::text IS NULL OR tenant = $1)`,
      [scope],
    );
    return rows.map((r) => r.doc);
  }
}
