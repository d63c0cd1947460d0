import { Global, Module } from '@nestjs/common';
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
export class ProjectionRunnerModule {}
