import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { sendCached } from '../http/cached-body';
import { ApiCachedRead, ApiEtagHeader } from '../http/cached-read.docs';
import { ReadCache } from '../http/read-cache';
import { ApiAsOfHeader, AtQuery } from '../point-in-time/at.dto';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { HealthViews } from './health-views.service';
import { SCHEDULER_HEALTH_EXAMPLE } from './scheduler-health.example';

export { schedulerHealthConfig } from './health-views.service';

const BAD_AT = {
  status: 400,
  description: '`at` malformed, before the first event or in the future.',
  schema: {
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'at: is outside the recorded history; valid range: from 2025-10-20T12:00:00Z (the first event) to now (2025-10-20T13:05:42Z)',
      fields: [
        { field: 'at', problem: 'is outside the recorded history; valid range: from 2025-10-20T12:00:00Z (the first event) to now (2025-10-20T13:05:42Z)' },
      ],
    },
  },
};

@ApiTags('health')
@ApiBearerAuth()
@Controller('api/monitoring/scheduler/health')
export class SchedulerHealthController {
  constructor(
    private readonly views: HealthViews,
    private readonly pit: PointInTime,
    private readonly cache: ReadCache,
  ) {}

  @Get()
  @Roles('viewer')
  @TenantScope('tenant', "counts the tenant's targets only (live and `?at=`)")
  @ApiOperation({
    summary:
      'Scheduler health snapshot: queue, dead-letter, legacy breakers/staleness, and per-instance poll status, breaker and dead-letter. Read from the targets read model; `?at=` answers as of a past instant (same view over the log folded up to then). A tenant-scoped token sees only its targets.',
  })
  @ApiResponse({ status: 200, headers: { ...ApiAsOfHeader, ...ApiEtagHeader }, schema: { example: SCHEDULER_HEALTH_EXAMPLE } })
  @ApiResponse(BAD_AT)
  @ApiCachedRead()
  async get(@Req() req: FastifyRequest, @Query() q: AtQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const at = await this.pit.parseAt(q.at);
    const body = await this.cache.answer({ endpoint: 'scheduler-health', scope: tenant, reads: ['targets'] }, at, () => this.views.scheduler(at, tenant));
    return sendCached(req, reply, body);
  }
}

export { BAD_AT };
