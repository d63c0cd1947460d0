import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { postgresEventStore } from '../event-store/postgres/postgres-event-store';
import { createPool } from './create-pool';

export const PG_POOL = Symbol('PG_POOL');
export const DATABASE_URL = Symbol('DATABASE_URL');

/** One pg pool per process, and the event store over it. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  static forRoot(url: string) {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_URL, useValue: url },
        {
          provide: PG_POOL,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            return createPool(url, config.core.dbPoolSize);
          },
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL, APP_CONFIG],
          useFactory: (pool: Pool, config: AppConfig) =>
            postgresEventStore(pool, {
              pollMs: config.core.projectionPollMs,
              appendConnections: config.core.eventAppendConnections,
              appendGroupMax: config.core.eventAppendGroupMax,
            }),
        },
      ],
      exports: [PG_POOL, EVENT_STORE, DATABASE_URL],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.pool.end();
  }
}
