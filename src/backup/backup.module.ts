import { Module } from '@nestjs/common';
import { restoreDrillsProjection } from '../../projections/restore-drills/restore-drills.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import { RestoreDrills } from './record-restore-drill';
import { RestoreDrillsController } from './restore-drills.controller';

@Module({ controllers: [RestoreDrillsController], providers: [RestoreDrills], exports: [RestoreDrills] })
export class BackupModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries) {
    registry.register(restoreDrillsProjection);
    summaries.register('RestoreDrillRecorded', (e) => {
      const d = e.data as { owner: string; result: string; eventsRestored: number | null };
      return `restore drill ${d.result} (owner ${d.owner}${d.eventsRestored !== null ? `, ${d.eventsRestored} events restored` : ''})`;
    });
  }
}
