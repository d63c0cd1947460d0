import { Module } from '@nestjs/common';
import { restoreDrillsProjection } from '../../projections/restore-drills/restore-drills.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { RestoreDrills } from './record-restore-drill';
import { RestoreDrillsController } from './restore-drills.controller';

@Module({ controllers: [RestoreDrillsController], providers: [RestoreDrills], exports: [RestoreDrills] })
export class BackupModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(restoreDrillsProjection);
  }
}
