import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { badRequestExample, conflictExample, notFoundExample } from '../http/error-examples';
import { PauseLoopDto, ResumeLoopDto } from '../pausing/pause-loop.dto';
import { PAUSE_EXAMPLE, pauseView, RESUMED_EXAMPLE, visibleTenant } from '../pausing/pause.view';
import { Pauses } from '../pausing/pauses.service';

const EXAMPLE = { ...PAUSE_EXAMPLE, scope: 'tenant-targets', subject: 'acme', reason: 'acme migrates its API servers' };

/** Pause and resume polling of every target of a tenant: audited operator actions (tenant_targets.pause / .resume). */
@ApiTags('pausing')
@ApiBearerAuth()
@Controller('api/tenants')
export class TenantTargetPausesController {
  constructor(private readonly pauses: Pauses) {}

  @Post(':tenant/targets/pause')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('tenant', 'its own tenant only; another tenant → 404')
  @ApiParam({ name: 'tenant', example: 'acme' })
  @ApiOperation({
    summary:
      'Pause polling of every target of a tenant until resumed or resumeAt: none is polled (no failure, no breaker effect); each resumes at its next due time. Needs a reason; audited as tenant_targets.pause.',
  })
  @ApiResponse({ status: 200, schema: { example: EXAMPLE } })
  @ApiResponse(badRequestExample('resumeAt', 'must be in the future'))
  @ApiResponse(notFoundExample('no tenant globex'))
  @ApiResponse(conflictExample('the targets of tenant acme are paused already (by alice since 2026-03-02T10:00:00.000Z: "migration"); resume it first'))
  async pause(@Param('tenant') tenant: string, @Body() body: PauseLoopDto, @Operator() op: OperatorContext) {
    const t = visibleTenant(tenant, op.tenant);
    return pauseView(await this.pauses.pause({ scope: 'tenant-targets', subject: t, tenant: t }, op, body.reason, body.resumeAt ?? null));
  }

  @Post(':tenant/targets/resume')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('tenant', 'its own tenant only; another tenant → 404')
  @ApiParam({ name: 'tenant', example: 'acme' })
  @ApiOperation({ summary: "Resume polling of a tenant's targets. Needs a reason; audited as tenant_targets.resume. 409 when not paused." })
  @ApiResponse({ status: 200, schema: { example: { ...RESUMED_EXAMPLE, scope: 'tenant-targets', subject: 'acme' } } })
  @ApiResponse(notFoundExample('no tenant globex'))
  @ApiResponse(conflictExample('the targets of tenant acme are not paused'))
  async resume(@Param('tenant') tenant: string, @Body() body: ResumeLoopDto, @Operator() op: OperatorContext) {
    const t = visibleTenant(tenant, op.tenant);
    return pauseView(await this.pauses.resume({ scope: 'tenant-targets', subject: t, tenant: t }, op, body.reason));
  }
}
