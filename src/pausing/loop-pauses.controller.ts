import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { PauseLoopDto, ResumeLoopDto } from './pause-loop.dto';
import { LoopPauses } from './loop-pauses.service';
import { conflictExample } from '../http/error-examples';

const paused = (loop: string) => ({
  loop,
  paused: true,
  reason: 'database failover in progress',
  pausedBy: 'alice',
  pausedAt: '2026-03-02T10:00:00.000Z',
  resumeAt: '2026-03-02T11:00:00.000Z',
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
});
const resumed = (loop: string) => ({ ...paused(loop), paused: false, resumedBy: 'bob', resumedAt: '2026-03-02T10:20:00.000Z', resumeReason: 'failover done' });
const BAD = {
  status: 400,
  schema: {
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'resumeAt: must be in the future',
      fields: [{ field: 'resumeAt', problem: 'must be in the future' }],
    },
  },
};
const WHOLE = 'pauses every process of the installation';

/** Pause / resume the whole job worker (every process) and the poll scheduler: audited operator actions. */
@ApiTags('pausing')
@ApiBearerAuth()
@Controller('api')
export class LoopPausesController {
  constructor(private readonly pauses: LoopPauses) {}

  @Post('jobs/worker/pause')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('installation', WHOLE)
  @ApiOperation({
    summary: 'Pause every job worker: no run is claimed until resumed (or until resumeAt); running runs finish. Needs a reason; audited as loop.pause.',
  })
  @ApiResponse({ status: 200, schema: { example: paused('job-worker') } })
  @ApiResponse(BAD)
  @ApiResponse(conflictExample('job-worker is paused already (by alice since 2026-03-02T10:00:00.000Z: "deploy"); resume it first'))
  pauseJobs(@Body() body: PauseLoopDto, @Operator() op: OperatorContext) {
    return this.pauses.pause('job-worker', op, body.reason, body.resumeAt ?? null);
  }

  @Post('jobs/worker/resume')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('installation', WHOLE)
  @ApiOperation({ summary: 'Resume the job workers. Needs a reason; audited as loop.resume. 409 when not paused.' })
  @ApiResponse({ status: 200, schema: { example: resumed('job-worker') } })
  @ApiResponse({ status: 409, schema: { example: { statusCode: 409, error: 'Conflict', message: 'job-worker is not paused' } } })
  resumeJobs(@Body() body: ResumeLoopDto, @Operator() op: OperatorContext) {
    return this.pauses.resume('job-worker', op, body.reason);
  }

  @Post('monitoring/scheduler/pause')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('installation', WHOLE)
  @ApiOperation({
    summary: 'Pause the poll scheduler: no target is polled until resumed (or until resumeAt); probes in flight finish. Needs a reason; audited as loop.pause.',
  })
  @ApiResponse({ status: 200, schema: { example: paused('poll-scheduler') } })
  @ApiResponse(BAD)
  pauseScheduler(@Body() body: PauseLoopDto, @Operator() op: OperatorContext) {
    return this.pauses.pause('poll-scheduler', op, body.reason, body.resumeAt ?? null);
  }

  @Post('monitoring/scheduler/resume')
  @HttpCode(200)
  @Roles('operator')
  @TenantScope('installation', WHOLE)
  @ApiOperation({ summary: 'Resume the poll scheduler. Needs a reason; audited as loop.resume. 409 when not paused.' })
  @ApiResponse({ status: 200, schema: { example: resumed('poll-scheduler') } })
  resumeScheduler(@Body() body: ResumeLoopDto, @Operator() op: OperatorContext) {
    return this.pauses.resume('poll-scheduler', op, body.reason);
  }
}
