import { Global, Module } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectionRegistry } from './projection-registry';
import { ProjectionRunnerService } from './projection-runner.service';

/** The registry capability modules fill and the runner that applies them (their operator API, /api/projections, is in SystemModule). */
@Global()
@Module({
  providers: [ProjectionRegistry, ProjectionRunnerService],
  exports: [ProjectionRegistry, ProjectionRunnerService],
})
export class ProjectionRunnerModule {
  constructor(metrics: MetricsService, runner: ProjectionRunnerService) {
    metrics.gauge('opsledger_projection_lag_events', 'Events in the log not yet applied, by projection', ['projection'], async () =>
      (await runner.status()).map((s) => [{ projection: s.name }, s.lag.events] as const),
    );
    metrics.gauge('opsledger_projection_lag_seconds', 'Age of the oldest event not yet applied, by projection', ['projection'], async () =>
      (await runner.status()).map((s) => [{ projection: s.name }, s.lag.seconds] as const),
    );
    metrics.gauge('opsledger_projection_failed', '1 when a projection is stopped on an error', ['projection'], async () =>
      (await runner.status()).map((s) => [{ projection: s.name }, s.state === 'failed' ? 1 : 0] as const),
    );
  }
}
