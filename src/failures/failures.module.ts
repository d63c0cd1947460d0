import { Module } from '@nestjs/common';
import { pollFailuresProjection } from '../../projections/poll-failures/poll-failures.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { FailureGroupsHandler } from './failure-groups.query';
import { FailuresController } from './failures.controller';
import { RetryFailuresHandler } from './retry-failures.command';

/**
 * Finding failures: failures grouped by error signature (runs and polls) and the bulk retry of a
 * signature's failed runs. The signatures themselves are computed by the projections
 * (job_runs, poll_failures) from src/shared/error-signature.ts; GET /api/runs filters on them.
 */
@Module({
  controllers: [FailuresController],
  providers: [FailureGroupsHandler, RetryFailuresHandler],
})
export class FailuresModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(pollFailuresProjection);
  }
}
