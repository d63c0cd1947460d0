import { Global, Module } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectionRegistry } from './projection-registry';
import { ProjectionRunnerService } from './projection-runner.service';
import { GetProjectionStatusHandler } from './projection-status.query';
import { ProjectionsController } from './projections.controller';
import { RebuildProjectionHandler } from './rebuild-projection.command';

/** The registry capability modules fill, the runner that applies them, and /api/projections. */
@Global()
@Module({
  controllers: [ProjectionsController],
  providers: [ProjectionRegistry, ProjectionRunnerService, GetProjectionStatusHandler, RebuildProjectionHandler],
  exports: [ProjectionRegistry, ProjectionRunnerService],
})
export class ProjectionRunnerModule {
  constructor(metrics: MetricsService, runner: ProjectionRunnerService) {
    metrics.gauge('opsledger_projection_lag_events', 'Events in the log not yet applied, by projection', ['projection'], async () => (await runner.status()).map((s) => [{ projection: s.name }, s.lag.events] as const));
    metrics.gauge('opsledger_projection_lag_seconds', 'Age of the oldest event not yet applied, by projection', ['projection'], async () => (await runner.status()).map((s) => [{ projection: s.name }, s.lag.seconds] as const));
    metrics.gauge('opsledger_projection_failed', '1 when a projection is stopped on an error', ['projection'], async () => (await runner.status()).map((s) => [{ projection: s.name }, s.state === 'failed' ? 1 : 0] as const));
  }
}
