import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { AlertsModule } from './alerts/alerts.module';
import { AttentionModule } from './attention/attention.module';
import { AuditModule } from './audit/audit.module';
import { BackupModule } from './backup/backup.module';
import { CachesModule } from './caches/caches.module';
import { ConsoleSessionModule } from './console/session/console-session.module';
import { ConsoleStreamModule } from './console/stream/console-stream.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { TenantScopeGuard } from './auth/tenant-scope.guard';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EgressModule } from './egress/egress.module';
import { FailuresModule } from './failures/failures.module';
import { FlagsModule } from './flags/flags.module';
import { LoopStateModule } from './database/loop-state.module';
import { MaintenanceGateGuard } from './access/maintenance-gate.guard';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { PausingModule } from './pausing/pausing.module';
import { PollingModule } from './polling/polling.module';
import { PointInTimeModule } from './point-in-time/point-in-time.module';
import { ProjectionRunnerModule } from './projection-runner/projection-runner.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ReplayModule } from './replay/replay.module';
import { SecretsModule } from './secrets/secrets.module';
import { SloModule } from './slo/slo.module';
import { serverKeys } from './secrets/server-keys';
import type { Clock } from './shared/clock';
import { CoreModule } from './shared/core.module';
import { SystemModule } from './system/system.module';
import { TimelineModule } from './timeline/timeline.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The capabilities, each registering its own commands, projections and routes (the route tables walk them). */
export const FEATURE_MODULES = [
  ProjectionRunnerModule,
  MetricsModule,
  PointInTimeModule,
  TimelineModule,
  AuditModule,
  AuthModule,
  HealthModule,
  PausingModule,
  PollingModule,
  SloModule,
  JobsModule,
  SystemModule,
  RateLimitModule,
  AlertsModule,
  BackupModule,
  ReplayModule,
  FlagsModule,
  CachesModule,
  WebhooksModule,
  ConsoleSessionModule,
  ConsoleStreamModule,
  AttentionModule,
  MaintenanceModule,
  FailuresModule,
];

/** Composition root: infrastructure, then FEATURE_MODULES. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, log: Logger, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CoreModule.forRoot(log, clock),
        // Throws (before Nest starts) when a key is missing: see resolveServerKeys.
        SecretsModule.forRoot(serverKeys(config)),
        DatabaseModule.forRoot(databaseUrl),
        LoopStateModule,
        CqrsModule.forRoot(),
        EgressModule.forRoot(databaseUrl),
        ...FEATURE_MODULES,
      ],
      // Global guards run in this order: how often (every request counts, failed logins too), then who, then which tenant, then whether that tenant is in maintenance.
      providers: [
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: TenantScopeGuard },
        { provide: APP_GUARD, useExisting: MaintenanceGateGuard },
      ],
    };
  }
}
