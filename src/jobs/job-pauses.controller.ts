import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { inScope } from '../access/tenant-scope';
import { TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { badRequestExample, conflictExample, notFoundExample } from '../http/error-examples';
import { PauseLoopDto, ResumeLoopDto } from '../pausing/pause-loop.dto';
import { PAUSE_EXAMPLE, pauseView, RESUMED_EXAMPLE, visibleTenant } from '../pausing/pause.view';
import { TenantPauseRoute } from '../pausing/tenant-pause-route';
import { Pauses } from '../pausing/pauses.service';
import { NotFound } from '../shared/errors';
import type { JobCatalog } from './definitions/job-catalog';
import { JOB_CATALOG } from './jobs.di';

/**
 * Pause and resume one job, or every job of a tenant: audited operator actions (job.pause,
 * tenant_jobs.pause, …). While paused, cron ticks are recorded as skipped, run-now answers 409
 * unless an admin forces it, and queued runs wait (src/pausing/holds.ts).
 */
@ApiTags('pausing')
@ApiBearerAuth()
@Controller('api')
export class JobPausesController {
  constructor(
    @Inject(JOB_CATALOG) private readonly catalog: JobCatalog,
    private readonly pauses: Pauses,
  ) {}

  /** A job exists for a tenant-scoped caller only when its definition names that tenant (as for run-now). */
  private job(name: string, tenant: string | null) {
    const def = this.catalog.get(name);
    if (!def || !inScope(tenant, def.tenant)) throw new NotFound(`job "${name}" is not defined; GET /api/jobs lists the jobs`);
    return { scope: 'job' as const, subject: def.name, ...(def.tenant ? { tenant: def.tenant } : {}) };
  }

  @Post('jobs/:name/pause')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's job or a shared one")
  @ApiParam({ name: 'name', example: 'nightly-report' })
  @ApiOperation({
    summary:
      'Pause one job until resumed (or until resumeAt): its cron ticks are recorded as skipped, run-now answers 409 unless an admin forces it, queued runs wait. Needs a reason; audited as job.pause.',
  })
  @ApiResponse({ status: 200, schema: { example: PAUSE_EXAMPLE } })
  @ApiResponse(badRequestExample('resumeAt', 'must be in the future'))
  @ApiResponse(notFoundExample('job "nightly-report" is not defined; GET /api/jobs lists the jobs'))
  @ApiResponse(conflictExample('job "nightly-report" is paused already (by alice since 2026-03-02T10:00:00.000Z: "deploy"); resume it first'))
  async pauseJob(@Param('name') name: string, @Body() body: PauseLoopDto, @Operator() op: OperatorContext) {
    return pauseView(await this.pauses.pause(this.job(name, op.tenant), op, body.reason, body.resumeAt ?? null));
  }

  @Post('jobs/:name/resume')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's job or a shared one")
  @ApiParam({ name: 'name', example: 'nightly-report' })
  @ApiOperation({ summary: 'Resume a paused job: its queued runs start, cron runs its next tick. Needs a reason; audited as job.resume. 409 when not paused.' })
  @ApiResponse({ status: 200, schema: { example: RESUMED_EXAMPLE } })
  @ApiResponse(badRequestExample('reason', 'should not be empty'))
  @ApiResponse(notFoundExample('job "nightly-report" is not defined; GET /api/jobs lists the jobs'))
  @ApiResponse(conflictExample('job "nightly-report" is not paused'))
  async resumeJob(@Param('name') name: string, @Body() body: ResumeLoopDto, @Operator() op: OperatorContext) {
    return pauseView(await this.pauses.resume(this.job(name, op.tenant), op, body.reason));
  }

  @TenantPauseRoute(
    'tenants/',
    'jobs',
    'pause',
    'Pause every job of a tenant (jobs whose definition names it, and runs of shared jobs queued for it) until resumed or resumeAt. Needs a reason; audited as tenant_jobs.pause.',
  )
  async pauseTenantJobs(@Param('tenant') tenant: string, @Body() body: PauseLoopDto, @Operator() op: OperatorContext) {
    const t = visibleTenant(tenant, op.tenant);
    return pauseView(await this.pauses.pause({ scope: 'tenant-jobs', subject: t, tenant: t }, op, body.reason, body.resumeAt ?? null));
  }

  @TenantPauseRoute('tenants/', 'jobs', 'resume', "Resume a tenant's jobs. Needs a reason; audited as tenant_jobs.resume. 409 when not paused.")
  async resumeTenantJobs(@Param('tenant') tenant: string, @Body() body: ResumeLoopDto, @Operator() op: OperatorContext) {
    const t = visibleTenant(tenant, op.tenant);
    return pauseView(await this.pauses.resume({ scope: 'tenant-jobs', subject: t, tenant: t }, op, body.reason));
  }
}
