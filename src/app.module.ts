import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ProjectionRunnerModule } from './projection-runner/projection-runner.module';
import { CoreModule } from './shared/core.module';

/** Composition root: each capability module registers its own commands, projections and routes. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, log: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CoreModule.forRoot(log),
        DatabaseModule.forRoot(databaseUrl),
        CqrsModule.forRoot(),
        ProjectionRunnerModule,
        AuditModule,
        HealthModule,
      ],
    };
  }
}
