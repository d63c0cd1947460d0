import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { DATABASE_URL } from '../../database/database.module';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { LoopStateService } from '../../database/loop-state.service';
import { LoopPauses } from '../../pausing/loop-pauses.service';
import { Holds } from '../../pausing/holds.service';
import { Clock, CLOCK } from '../../shared/clock';
import { LOGGER } from '../../shared/logger';
import { ProbeRegistry } from '../probes/probe-registry';
import { TargetRepository } from '../target-repository';
import { PollingMetrics } from '../polling-metrics';
import { PollScheduler } from './poll-scheduler';

/** Runs the poll scheduler in APP_MODE all and worker (one active process across all; see docs/adr/0002). */
@Injectable()
export class PollSchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly scheduler: PollScheduler;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    repo: TargetRepository,
    probes: ProbeRegistry,
    loops: LoopStateService,
    @Inject(CLOCK) clock: Clock,
    @Inject(LOGGER) log: Logger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_URL) databaseUrl: string,
    metrics: PollingMetrics,
    pauses: LoopPauses,
    holds: Holds,
  ) {
    this.scheduler = new PollScheduler({
      store,
      repo,
      probes,
      loops,
      clock,
      log,
      cfg: config.polling,
      databaseUrl,
      onOutcome: (evs) => metrics.record(evs),
      paused: () => pauses.holds('poll-scheduler') !== null,
      holdFor: (subject, at) => holds.holdFor(subject, at),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.polling.schedulerEnabled && this.config.core.appMode !== 'server') this.scheduler.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}
