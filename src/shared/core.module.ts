import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, systemClock } from './clock';
import { LOGGER } from './logger';

/** Process-wide singletons every capability may inject: the logger and the clock. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(log: Logger) {
    return {
      module: CoreModule,
      providers: [
        { provide: LOGGER, useValue: log },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [LOGGER, CLOCK],
    };
  }
}
