import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MaintenanceExempt } from '../access/maintenance-gate';
import { Public } from '../access/public.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { Clock, CLOCK } from '../shared/clock';
import { GetMaintenanceQuery } from './get-maintenance.query';
import { publicMaintenanceView } from './maintenance.view';

/** The banner state for a tenant's own front-ends: public, no token, nothing but the banner. */
@ApiTags('maintenance')
@Controller('api/maintenance')
export class MaintenanceStatusController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Public()
  @MaintenanceExempt()
  @TenantScope('shared', 'public banner state of the named tenant (mode, banner, times); an unknown tenant answers like one without maintenance')
  @Get(':tenant')
  @ApiOperation({
    summary:
      "Public, no token: the tenant's maintenance banner state (active, mode, banner, startsAt, endsAt) for its front-ends. An upcoming window shows with active false; no window and an unknown tenant answer the same.",
  })
  @ApiParam({ name: 'tenant', example: 'acme' })
  @ApiResponse({
    status: 200,
    description: 'No window, a finished one, or an unknown tenant: `{ "active": false, "mode": null, "banner": null, "startsAt": null, "endsAt": null }`.',
    schema: {
      example: {
        active: true,
        mode: 'read_only',
        banner: 'Scheduled maintenance: changes are paused until 14:00 UTC.',
        startsAt: '2026-11-28T12:00:00.000Z',
        endsAt: '2026-11-28T14:00:00.000Z',
      },
    },
  })
  async get(@Param('tenant') tenant: string, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('cache-control', 'no-cache');
    return publicMaintenanceView(await this.queries.execute(new GetMaintenanceQuery(tenant)), this.clock.now());
  }
}
