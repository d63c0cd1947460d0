import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { OPS_HEALTH_SOURCE } from '../alerts/alert-sources';
import { AuthModule } from '../auth/auth.module';
import { HealthViews } from '../health/health-views.service';
import { EventSummaries } from '../timeline/event-summaries';
import { PollingMetrics } from './polling-metrics';
import { registerTargetSummaries } from './target-summaries';
import { targetsProjection } from '../../projections/targets/targets.projection';
import { OpsHealthController } from '../health/ops-health.controller';
import { SchedulerHealthController } from '../health/scheduler-health.controller';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { ConfigReconciler } from './config-reconciler';
import { ProbeRegistry } from './probes/probe-registry';
import { PollSchedulerService } from './scheduler/poll-scheduler.service';
import { TargetCommands } from './target-commands.service';
import { TargetReadModel } from './target-read-model';
import { TargetRepository } from './target-repository';
import { TargetsController } from './targets.controller';

/**
 * Polling: targets (API + config file), the scheduler with breakers and dead-letter, the targets
 * read model, and the two health endpoints built on it (seed 001 scheduler health, seed 000 ops health).
 */
@Module({
  imports: [AuthModule], // TokenLookup: ops health also accepts a (tenant-scoped) bearer token
  controllers: [TargetsController, SchedulerHealthController, OpsHealthController],
  providers: [
    ProbeRegistry,
    TargetRepository,
    TargetReadModel,
    TargetCommands,
    ConfigReconciler,
    PollSchedulerService,
    HealthViews,
    PollingMetrics,
    // The alert evaluator's health_degraded rule reads ops health through this token.
    { provide: OPS_HEALTH_SOURCE, useExisting: HealthViews },
  ],
  exports: [ProbeRegistry, TargetReadModel, PollSchedulerService, HealthViews, OPS_HEALTH_SOURCE],
})
export class PollingModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    registry: ProjectionRegistry,
    private readonly reconciler: ConfigReconciler,
    summaries: EventSummaries,
  ) {
    registry.register(targetsProjection);
    registerTargetSummaries(summaries);
  }

  /** A bad config file stops start-up here, before anything is written. */
  onModuleInit(): void {
    this.reconciler.validate();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reconciler.reconcile();
  }
}
