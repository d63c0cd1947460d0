import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { EventSummaries } from '../timeline/event-summaries';
import { PollingMetrics } from './polling-metrics';
import { registerTargetSummaries } from './target-summaries';
import { targetsProjection } from '../../projections/targets/targets.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { ConfigReconciler } from './config-reconciler';
import { ProbeRegistry } from './probes/probe-registry';
import { PollSchedulerService } from './scheduler/poll-scheduler.service';
import { TargetCommands } from './target-commands.service';
import { TargetReadModel } from './target-read-model';
import { TargetRepository } from './target-repository';
import { TargetsController } from './targets.controller';
import { TenantTargetPausesController } from './tenant-target-pauses.controller';
import { PauseExpiry } from '../pausing/pause-expiry.loop';

/**
 * Polling: targets (API + config file), the scheduler with breakers and dead-letter, and the
 * targets read model (the health endpoints built on it are in HealthModule).
 */
@Module({
  controllers: [TargetsController, TenantTargetPausesController],
  providers: [ProbeRegistry, TargetRepository, TargetReadModel, TargetCommands, ConfigReconciler, PollSchedulerService, PollingMetrics],
  exports: [ProbeRegistry, TargetReadModel, TargetRepository, TargetCommands, PollSchedulerService],
})
export class PollingModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    registry: ProjectionRegistry,
    private readonly reconciler: ConfigReconciler,
    summaries: EventSummaries,
    expiry: PauseExpiry,
    commands: TargetCommands,
  ) {
    registry.register(targetsProjection);
    registerTargetSummaries(summaries);
    // A target's pause is on its own stream: the automatic resume goes through the target decider.
    expiry.onTargetExpired(async (row) => void (await commands.autoResume(row.subject)));
  }

  /** A bad config file stops start-up here, before anything is written. */
  onModuleInit(): void {
    this.reconciler.validate();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reconciler.reconcile();
  }
}
