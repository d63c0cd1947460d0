import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { LOGGER } from '../shared/logger';
import { Egress } from './egress-fetch';
import { ownPorts } from './own-ports';

/** One Egress per process, for every capability that makes outbound requests. */
@Global()
@Module({})
export class EgressModule implements OnApplicationShutdown {
  constructor(private readonly egress: Egress) {}

  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: EgressModule,
      providers: [
        {
          provide: Egress,
          inject: [APP_CONFIG, LOGGER, MetricsService, HttpAdapterHost],
          useFactory: (config: AppConfig, log: Logger, metrics: MetricsService, adapterHost: HttpAdapterHost) => {
            const refused = metrics.counter('opsledger_egress_refused_total', 'Outbound connections refused by the egress policy, by reason', ['reason']);
            const server = () => (adapterHost.httpAdapter?.getHttpServer() as Server | undefined)?.address();
            return new Egress({
              allow: config.egress.allow,
              ownPorts: ownPorts(config.core.port, databaseUrl, server),
              connectTimeoutMs: config.egress.connectTimeoutMs,
              log,
              onRefused: (reason) => refused.inc({ reason }),
            });
          },
        },
      ],
      exports: [Egress],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.egress.close();
  }
}
