import { Body, Controller, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { PauseLoopDto, ResumeLoopDto } from '../pausing/pause-loop.dto';
import { pauseView, visibleTenant } from '../pausing/pause.view';
import { Pauses } from '../pausing/pauses.service';
import { TenantPauseRoute } from '../pausing/tenant-pause-route';

/** Pause and resume polling of every target of a tenant: audited operator actions (tenant_targets.pause / .resume). */
@ApiTags('pausing')
@ApiBearerAuth()
@Controller('api/tenants')
export class TenantTargetPausesController {
  constructor(private readonly pauses: Pauses) {}

  @TenantPauseRoute(
    '',
    'targets',
    'pause',
    'Pause polling of every target of a tenant until resumed or resumeAt: none is polled (no failure, no breaker effect); each resumes at its next due time. Needs a reason; audited as tenant_targets.pause.',
    { reason: 'acme migrates its API servers' },
  )
  async pause(@Param('tenant') tenant: string, @Body() body: PauseLoopDto, @Operator() op: OperatorContext) {
    const t = visibleTenant(tenant, op.tenant);
    return pauseView(await this.pauses.pause({ scope: 'tenant-targets', subject: t, tenant: t }, op, body.reason, body.resumeAt ?? null));
  }

  @TenantPauseRoute('', 'targets', 'resume', "Resume polling of a tenant's targets. Needs a reason; audited as tenant_targets.resume. 409 when not paused.")
  async resume(@Param('tenant') tenant: string, @Body() body: ResumeLoopDto, @Operator() op: OperatorContext) {
    const t = visibleTenant(tenant, op.tenant);
    return pauseView(await this.pauses.resume({ scope: 'tenant-targets', subject: t, tenant: t }, op, body.reason));
  }
}
