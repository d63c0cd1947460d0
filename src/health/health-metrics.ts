import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { HealthViews } from './health-views.service';

/** docker/prometheus/alerts.yml reads this name: 0 healthy, 1 degraded, 2 unhealthy. */
export const OPS_HEALTH_STATUS_METRIC = 'opsledger_ops_health_status';
const STATUS_VALUE: Record<string, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The ops health status as a gauge, read at scrape time (the same cluster-wide figure in every process). */
@Injectable()
export class HealthMetrics {
  constructor(metrics: MetricsService, health: HealthViews) {
    metrics.gauge(OPS_HEALTH_STATUS_METRIC, 'Ops health status: 0 healthy, 1 degraded, 2 unhealthy', [], async () => [
      [{}, STATUS_VALUE[(await health.readStatus()).status] ?? 2],
    ]);
  }
}
