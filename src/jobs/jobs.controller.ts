import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { Clock, CLOCK } from '../shared/clock';
import { NotFound } from '../shared/errors';
import { AS_OF_HEADER, ApiAsOfHeader, AtQuery } from '../point-in-time/at.dto';
import { JobDetailQuery } from './dto/list-runs.dto';
import { RunJobDto } from './dto/run-job.dto';
import { JobsService } from './jobs.service';
import { JobsViews } from './jobs-views.service';
import { RunReadModel } from './run-read-model';
import { runView } from './views/run.view';

const INVENTORY_EXAMPLE = {
  jobs: [
    {
      name: 'daily-mrr-rollup',
      description: 'Rolls up MRR per tenant. Expires if still queued after 2 h.',
      owner: 'finance',
      schedule: { kind: 'cron', text: 'At 06:00 AM', cron: '0 6 * * *', timezone: 'UTC' },
      priority: 'high',
      manualRun: false,
      cancellable: false,
      tenant: null,
      handler: 'command',
      params: ['timeRange', 'dryRun'],
      expiresAfterMs: 7200000,
      stuckAfterMs: 900000,
      nextRunAt: '2025-03-02T06:00:00Z',
      nextRunInSeconds: 3600,
      pending: 0,
      running: 0,
      lastRun: { runId: '6f1c…', at: '2025-03-01T06:00:12Z', status: 'succeeded', durationMs: 12034 },
      sla: { targetDurationMs: 60000, runningBeyondTarget: false, longestRunningMs: null, pilingUp: false, unresolvedFailures: 0, attention: false },
      missedTicks: 0,
      lastMissedTick: null,
    },
  ],
};

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly runs: RunReadModel,
    private readonly views: JobsViews,
    private readonly pit: PointInTime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('viewer')
  @TenantScope('tenant', 'jobs whose definition names the tenant (live and `?at=`)')
  @ApiOperation({
    summary:
      "Job inventory: schedule (words + cron), next run, pending, last run and status, manualRun, SLA flags. `?at=` answers as of a past instant; a tenant-scoped token sees its tenant's jobs only.",
  })
  @ApiResponse({ status: 200, headers: ApiAsOfHeader, schema: { example: INVENTORY_EXAMPLE } })
  @ApiResponse({
    status: 400,
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'at: is outside the recorded history; valid range: from 2025-03-01T00:00:00Z (the first event) to now (2025-03-02T10:00:00Z)',
        fields: [
          { field: 'at', problem: 'is outside the recorded history; valid range: from 2025-03-01T00:00:00Z (the first event) to now (2025-03-02T10:00:00Z)' },
        ],
      },
    },
  })
  async inventory(@Query() q: AtQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const r = await this.views.inventory(await this.pit.parseAt(q.at), tenant);
    reply.header(AS_OF_HEADER, r.asOf.toISOString());
    return r.body;
  }

  @Get(':name')
  @Roles('viewer')
  @TenantScope('tenant', "404 for another tenant's job or a shared one; its runs only")
  @ApiOperation({
    summary:
      'One job: its inventory line, the last N runs (duration, exit code, log tail, actor and reason when manual, tenant) and a 30-day daily trend: runs, failures, and unresolved failures (not made good by a successful retry).',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        job: INVENTORY_EXAMPLE.jobs[0],
        runs: [
          {
            runId: '6f1c…',
            job: 'daily-mrr-rollup',
            state: 'failed',
            trigger: 'manual',
            actor: 'ann',
            reason: 'validate fix',
            tenant: 'acme',
            durationMs: 5120,
            exitCode: 1,
            logTail: 'SendGrid 502…',
            createdAt: '2025-03-01T06:00:00Z',
            completedAt: '2025-03-01T06:00:05Z',
            retries: 0,
          },
        ],
        trend: [{ day: '2025-03-01', runs: 4, failures: 1, unresolved: 0 }],
      },
    },
  })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: 'job "x" is not defined' } } })
  async detail(@Param('name') name: string, @Query() q: JobDetailQuery, @CallerTenant() tenant: string | null) {
    const now = this.clock.now();
    const def = await this.runs.definition(name, tenant);
    if (!def) throw new NotFound(`job "${name}" is not defined; GET /api/jobs lists the jobs`);
    const [{ job, trend }, runs] = await Promise.all([this.views.detail(def, tenant, now), this.runs.list({ job: name, tenant }, q.runs ?? 20)]);
    return { job, runs: runs.map((r) => runView(r, { logTail: true })), trend };
  }

  @Post(':name/run')
  @HttpCode(202)
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's job or a shared one")
  @ApiOperation({
    summary:
      'Run now: queue a one-off run with the parameters the job declares (tenant, dryRun, from/to; other keys when it declares custom). Needs a reason; audited. 400 naming params.<key> for an undeclared or invalid parameter; 409 for manualRun=false jobs.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key returns the first run instead of queuing another.' })
  @ApiResponse({ status: 202, schema: { example: { runId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11', job: 'nightly-report', state: 'pending' } } })
  @ApiResponse({
    status: 409,
    schema: {
      example: {
        statusCode: 409,
        error: 'Conflict',
        message:
          'job "daily-mrr-rollup" is marked manualRun=false: it is not safe to run twice, so run-now is disabled; it runs only on its schedule (0 6 * * *)',
      },
    },
  })
  @ApiResponse({
    status: 400,
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'params.region: is not a parameter of job "rollup" (it accepts tenant, dryRun, timeRange)',
        fields: [{ field: 'params.region', problem: 'is not a parameter of job "rollup" (it accepts tenant, dryRun, timeRange)' }],
      },
    },
  })
  run(@Param('name') name: string, @Body() body: RunJobDto, @Operator() ctx: OperatorContext, @Headers('idempotency-key') key?: string) {
    return this.jobs.runNow(name, body, ctx, key);
  }
}
