import { Module } from '@nestjs/common';
import { OPS_HEALTH_SOURCE } from '../alerts/alert-sources';
import { AuthModule } from '../auth/auth.module';
import { ReadCacheModule } from '../http/read-cache.module';
import { PollingModule } from '../polling/polling.module';
import { HealthMetrics } from './health-metrics';
import { HealthViews } from './health-views.service';
import { HealthController } from './health.controller';
import { OpsHealthController } from './ops-health.controller';
import { SchedulerHealthController } from './scheduler-health.controller';

/**
 * The health endpoints: the public liveness check, scheduler health and ops health, built on the
 * targets read model, the loops' heartbeats, the job workers and the restore drills.
 */
@Module({
  imports: [
    AuthModule, // TokenLookup: ops health also accepts a (tenant-scoped) bearer token
    PollingModule, // TargetReadModel
    ReadCacheModule, // the live and past bodies of both health endpoints
  ],
  controllers: [HealthController, SchedulerHealthController, OpsHealthController],
  providers: [
    HealthViews,
    HealthMetrics,
    // The alert evaluator's health_degraded rule reads ops health through this token.
    { provide: OPS_HEALTH_SOURCE, useExisting: HealthViews },
  ],
  exports: [HealthViews, OPS_HEALTH_SOURCE],
})
export class HealthModule {}
