import { Module } from '@nestjs/common';
import { ReadCacheModule } from '../http/read-cache.module';
import { JobsModule } from '../jobs/jobs.module';
import { GetMigrationStatusHandler } from './migration-status.query';
import { MigrationsController } from './migrations.controller';
import { GetProjectionStatusHandler } from './projection-status.query';
import { ProjectionsController } from './projections.controller';
import { RebuildProjectionHandler } from './rebuild-projection.command';
import { SystemController } from './system.controller';

/**
 * Installation-wide operator endpoints: /api/system (queue, workers, recent runs, metrics, janitor
 * and bulk actions over the job runtime), /api/system/migrations (migrations and rebuilds: settled?) and
 * /api/projections (status, rebuild). They sit above
 * the capabilities they read and above audit, which records their actions.
 */
@Module({
  imports: [JobsModule, ReadCacheModule],
  controllers: [SystemController, ProjectionsController, MigrationsController],
  providers: [GetProjectionStatusHandler, RebuildProjectionHandler, GetMigrationStatusHandler],
})
export class SystemModule {}
