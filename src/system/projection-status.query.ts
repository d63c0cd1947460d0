import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ProjectionRunnerService } from '../projection-runner/projection-runner.service';
import type { ProjectionStatus } from '../projection-runner/projection-status';

/** Status of every registered projection (any process can answer it). */
export class GetProjectionStatusQuery extends Query<ProjectionStatus[]> {}

@QueryHandler(GetProjectionStatusQuery)
export class GetProjectionStatusHandler implements IQueryHandler<GetProjectionStatusQuery, ProjectionStatus[]> {
  constructor(private readonly runner: ProjectionRunnerService) {}

  execute(): Promise<ProjectionStatus[]> {
    return this.runner.status();
  }
}
