import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, CLOCK, systemClock } from './clock';
import { LOGGER } from './logger';

/** Process-wide singletons every capability may inject: the logger and the clock. */
@Global()
@Module({})
export class CoreModule {
  /** `clock` is the system clock except in tests that move time (test/support/test-clock.ts). */
  static forRoot(log: Logger, clock: Clock = systemClock) {
    return {
      module: CoreModule,
      providers: [
        { provide: LOGGER, useValue: log },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [LOGGER, CLOCK],
    };
  }
}
