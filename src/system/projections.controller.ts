import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { GetProjectionStatusQuery } from './projection-status.query';
import type { ProjectionStatus } from '../projection-runner/projection-status';
import { RebuildAccepted, RebuildProjectionCommand } from './rebuild-projection.command';
import { RebuildProjectionDto } from './rebuild-projection.dto';

const STATUS_EXAMPLE = {
  name: 'job_queue',
  version: 2,
  storedVersion: 2,
  checkpoint: '7341:120934',
  position: 120934,
  lag: { events: 3, seconds: 0.4 },
  state: 'live',
  error: null,
  errorAt: null,
  eventsProcessed: 120934,
  lastEventAt: '2026-03-01T10:00:00Z',
  updatedAt: '2026-03-01T10:00:00Z',
  running: true,
  rebuild: null,
  rebuildRequestedAt: null,
  rebuiltAt: '2026-02-28T09:12:40Z',
};

@ApiTags('projections')
@ApiBearerAuth()
@Controller('api/projections')
export class ProjectionsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Roles('admin')
  @TenantScope('installation', 'read models of every tenant (their errors may quote any event)')
  @ApiOperation({
    summary:
      'Every projection: version, checkpoint, lag (events and seconds), state (starting, catching_up, live, rebuilding, failed, stopped) and last error (admin).',
  })
  @ApiResponse({ status: 200, schema: { example: { projections: [STATUS_EXAMPLE] } } })
  async list(): Promise<{ projections: ProjectionStatus[] }> {
    return { projections: await this.queries.execute(new GetProjectionStatusQuery()) };
  }

  @Post(':name/rebuild')
  @Roles('admin')
  @TenantScope('installation', "rebuilds a read model of every tenant's data")
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuild a read model blue/green: fold the log into a shadow table while the live one keeps serving, then swap (admin, audited as projection.rebuild).',
  })
  @ApiParam({ name: 'name', example: 'job_queue' })
  @ApiResponse({
    status: 202,
    schema: {
      example: {
        name: 'job_queue',
        version: 2,
        requestedAt: '2026-03-01T10:00:00Z',
        reason: 'row shape changed',
        runnerActive: true,
        message: 'rebuild of job_queue requested; GET /api/projections shows its progress',
      },
    },
  })
  @ApiResponse({
    status: 400,
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'reason: reason should not be empty',
        fields: [{ field: 'reason', problem: 'reason should not be empty' }],
      },
    },
  })
  @ApiResponse({
    status: 404,
    schema: { example: { statusCode: 404, error: 'Not Found', message: 'no projection named "nope"; GET /api/projections lists them' } },
  })
  rebuild(@Param('name') name: string, @Body() body: RebuildProjectionDto, @Operator() op: OperatorContext): Promise<RebuildAccepted> {
    return this.commands.execute(new RebuildProjectionCommand(op, name, body.reason));
  }
}
