import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
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
  controllers: [TargetsController, SchedulerHealthController, OpsHealthController],
  providers: [ProbeRegistry, TargetRepository, TargetReadModel, TargetCommands, ConfigReconciler, PollSchedulerService],
  exports: [ProbeRegistry, TargetReadModel, PollSchedulerService],
})
export class PollingModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    registry: ProjectionRegistry,
    private readonly reconciler: ConfigReconciler,
  ) {
    registry.register(targetsProjection);
  }

  /** A bad config file stops start-up here, before anything is written. */
  onModuleInit(): void {
    this.reconciler.validate();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reconciler.reconcile();
  }
}
