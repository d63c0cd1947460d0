import { Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { jobDefinitionsProjection } from '../../projections/job-definitions/job-definitions.projection';
import { jobQueueProjection } from '../../projections/job-queue/job-queue.projection';
import { jobRunsProjection } from '../../projections/job-runs/job-runs.projection';
import { workerHistoryProjection } from '../../projections/job-workers/worker-history.projection';
import { CRON_PROBLEMS_SOURCE, QUEUE_SNAPSHOT_SOURCE } from '../alerts/alert-sources';
import { AppConfig } from '../config/config';
import { readConfigFile } from '../config/config-file';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { EventSummaries } from '../timeline/event-summaries';
import { JobCatalog } from './definitions/job-catalog';
import { JobHandlerRegistry } from './handlers/job-handler-registry';
import { JobsLifecycle } from './jobs-lifecycle.service';
import { createJobsRuntime } from './jobs-runtime';
import { Egress } from '../egress/egress-fetch';
import { Holds } from '../pausing/holds.service';
import { JobsController } from './jobs.controller';
import { JobPausesController } from './job-pauses.controller';
import { JobsService } from './jobs.service';
import { JobsSignals } from './jobs-signals';
import { JobsViews } from './jobs-views.service';
import { JOB_EVENT_SUMMARIES } from './timeline/job-event-summaries';
import { JOB_CATALOG, JOBS_RUNTIME } from './jobs.di';
import { JobsQueueSnapshot, QUEUE_SNAPSHOT } from './queue-snapshot';
import { RunReadModel } from './run-read-model';
import { RunsController } from './runs.controller';

/**
 * Jobs: definitions (config file + code), the queue, workers, cron, janitor, and /api/jobs, /api/runs.
 * Global so other modules can inject JOB_CATALOG (to define code jobs) and /api/health finds
 * QUEUE_SNAPSHOT. An invalid job definition throws while the catalog is built: start-up stops.
 */
@Global()
@Module({
  controllers: [JobsController, RunsController, JobPausesController],
  providers: [
    JobHandlerRegistry,
    {
      provide: JOB_CATALOG,
      inject: [APP_CONFIG, JobHandlerRegistry],
      useFactory: (config: AppConfig, handlers: JobHandlerRegistry) => {
        const j = config.jobs;
        const catalog = new JobCatalog(
          { timeoutMs: j.jobDefaultTimeoutMs, maxAttempts: j.jobDefaultMaxAttempts, backoffBaseMs: j.jobBackoffBaseMs, backoffMaxMs: j.jobBackoffMaxMs },
          handlers,
        );
        const file = readConfigFile(config.core.configFile);
        catalog.addFromConfig(file.jobs, file.baseDir);
        return catalog;
      },
    },
    {
      provide: JOBS_RUNTIME,
      inject: [PG_POOL, EVENT_STORE, CLOCK, LOGGER, APP_CONFIG, JOB_CATALOG, Egress, Holds],
      useFactory: (pool: Pool, store: EventStore, clock: Clock, log: Logger, config: AppConfig, catalog: JobCatalog, egress: Egress, holds: Holds) =>
        createJobsRuntime({ pool, store, clock, log, config: config.jobs, catalog, fetch: egress.fetch, holdFor: (s, at) => holds.holdFor(s, at) }),
    },
    RunReadModel,
    JobsService,
    JobsLifecycle,
    JobsViews,
    JobsSignals,
    { provide: QUEUE_SNAPSHOT, useClass: JobsQueueSnapshot },
    // Alert sources, found by the alerts module through ModuleRef (strict: false).
    { provide: QUEUE_SNAPSHOT_SOURCE, useExisting: JobsSignals },
    { provide: CRON_PROBLEMS_SOURCE, useExisting: JobsSignals },
  ],
  exports: [
    JOB_CATALOG,
    JOBS_RUNTIME,
    JobHandlerRegistry,
    RunReadModel,
    JobsService,
    JobsLifecycle,
    JobsViews,
    JobsSignals,
    QUEUE_SNAPSHOT,
    QUEUE_SNAPSHOT_SOURCE,
    CRON_PROBLEMS_SOURCE,
  ],
})
export class JobsModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries) {
    registry.register(jobQueueProjection, jobRunsProjection, jobDefinitionsProjection, workerHistoryProjection);
    for (const [type, summarize] of Object.entries(JOB_EVENT_SUMMARIES)) summaries.register(type, summarize);
  }
}
