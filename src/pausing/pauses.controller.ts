import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { Clock, CLOCK } from '../shared/clock';
import { Holds } from './holds.service';
import { LoopPauses } from './loop-pauses.service';
import { PAUSE_LIST_EXAMPLE, pauseList } from './pause-list';

/** What operators have paused: read by the console (a session cannot read ops health, the other place pauses show). */
@ApiTags('pausing')
@ApiBearerAuth()
@Controller('api')
export class PausesController {
  constructor(
    private readonly loops: LoopPauses,
    private readonly holds: Holds,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('pauses')
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's pauses only; the whole-loop pauses (shared machinery) for every caller")
  @ApiOperation({
    summary:
      "Every pausable loop's latest pause (paused now or not) and the pauses of jobs, targets and tenants that hold now, newest first: who, why, since and until when. Read from the read models, not from memory.",
  })
  @ApiResponse({ status: 200, schema: { example: PAUSE_LIST_EXAMPLE } })
  async list(@CallerTenant() tenant: string | null) {
    const [rows, loops] = await Promise.all([this.holds.readRows(), this.loops.all()]);
    return pauseList(rows, loops, tenant, this.clock.now());
  }
}
