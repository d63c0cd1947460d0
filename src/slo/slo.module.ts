import { Module } from '@nestjs/common';
import { sloFreshnessProjection } from '../../projections/slo-freshness/slo-freshness.projection';
import { SLO_BURN_SOURCE } from '../alerts/alert-sources';
import { PollingModule } from '../polling/polling.module';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { SloMetrics } from './slo-metrics';
import { SloRows } from './slo-rows';
import { SloController } from './slo.controller';
import { SloService } from './slo.service';

/**
 * Freshness objectives of polling targets (the objective itself is part of the target: src/polling):
 * the slo_freshness read model, the SLO API, its metrics, and the burn rates the alert pair reads.
 */
@Module({
  imports: [PollingModule],
  controllers: [SloController],
  providers: [SloRows, SloService, SloMetrics, { provide: SLO_BURN_SOURCE, useExisting: SloService }],
  exports: [SloService, SLO_BURN_SOURCE],
})
export class SloModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(sloFreshnessProjection);
  }
}
