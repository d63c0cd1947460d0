import { Module } from '@nestjs/common';
import { alertsProjection } from '../../projections/alerts/alerts.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { AlertEvaluator } from './alert-evaluator';
import { AlertSignalsReader } from './alert-signals.reader';
import { AlertWebhooks } from './alert-webhooks';
import { AlertsController } from './alerts.controller';

@Module({ controllers: [AlertsController], providers: [AlertEvaluator, AlertSignalsReader, AlertWebhooks], exports: [AlertEvaluator] })
export class AlertsModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(alertsProjection);
  }
}
