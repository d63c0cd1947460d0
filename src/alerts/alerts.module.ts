import { Module } from '@nestjs/common';
import { alertsProjection } from '../../projections/alerts/alerts.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import { AlertEvaluator } from './alert-evaluator';
import { AlertSignalsReader } from './alert-signals.reader';
import { AlertsController } from './alerts.controller';

@Module({ controllers: [AlertsController], providers: [AlertEvaluator, AlertSignalsReader], exports: [AlertEvaluator] })
export class AlertsModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries) {
    registry.register(alertsProjection);
    summaries.register('AlertFired', (e) => `alert ${(e.data as { rule: string }).rule} fired: ${(e.data as { summary: string }).summary}`);
    summaries.register('AlertResolved', (e) => `alert ${(e.data as { rule: string }).rule} resolved: ${(e.data as { summary: string }).summary}`);
  }
}
