import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Operator, OperatorContext } from '../audit/operator-context';
import { ApiUnauthorized } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { sendCached } from '../http/cached-body';
import { ApiCachedRead, ApiEtagHeader } from '../http/cached-read.docs';
import { ReadCache } from '../http/read-cache';
import { ApiAsOfHeader, AtQuery } from '../point-in-time/at.dto';
import { JobsViews } from '../jobs/jobs-views.service';
import { JobsService } from '../jobs/jobs.service';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { Clock, CLOCK } from '../shared/clock';
import { BadInput } from '../shared/errors';
import { ConfirmDto, JanitorDto, MetricsQuery } from './system.dto';
import { metricsView } from './views/metrics.view';

const AT_400 = {
  statusCode: 400,
  error: 'Bad Request',
  message: 'at: must be an RFC 3339 timestamp; valid range: from 2025-03-01T00:00:00Z (the first event) to now (2025-03-02T10:00:00Z)',
  fields: [{ field: 'at', problem: 'must be an RFC 3339 timestamp; valid range: from 2025-03-01T00:00:00Z (the first event) to now (2025-03-02T10:00:00Z)' }],
};

/** The system status page, for admins (no @Roles: the guard requires admin). */
@ApiTags('system')
@ApiBearerAuth()
@ApiUnauthorized()
@Controller('api/system')
export class SystemController {
  constructor(
    private readonly jobs: JobsService,
    private readonly views: JobsViews,
    private readonly pit: PointInTime,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cache: ReadCache,
  ) {}

  @Get('queue')
  @TenantScope('tenant', "counts the tenant's runs only (live and `?at=`)")
  @ApiOperation({
    summary:
      "Queue totals of the live queue view: active, pending, completed, failed, retry (admin). `?at=` answers as of a past instant; a tenant-scoped token counts its tenant's runs only.",
  })
  @ApiResponse({
    status: 200,
    headers: { ...ApiAsOfHeader, ...ApiEtagHeader },
    schema: { example: { active: 2, pending: 14, completed: 310, failed: 1, retry: 3, cancelled: 0, expired: 0 } },
  })
  @ApiResponse({ status: 400, schema: { example: AT_400 } })
  @ApiCachedRead()
  async queue(@Req() req: FastifyRequest, @Query() q: AtQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const at = await this.pit.parseAt(q.at);
    const body = await this.cache.answer({ endpoint: 'system-queue', scope: tenant, reads: ['job_queue', 'job_runs'] }, at, () =>
      this.views.queueTotals(at, tenant),
    );
    return sendCached(req, reply, body);
  }

  @Get('workers')
  @TenantScope('tenant', "every worker (shared machinery, total counts), but only the tenant's runs under `nowRunning`")
  @ApiOperation({
    summary:
      'Workers from their heartbeats: online/offline (60 s), uptime, processed, failed, now running with elapsed, last seen (admin). `?at=` rebuilds them from worker and run events (docs/api.md, "Jobs"); a tenant-scoped token sees only its runs under "nowRunning".',
  })
  @ApiResponse({
    status: 200,
    headers: { ...ApiAsOfHeader, ...ApiEtagHeader },
    schema: {
      example: {
        workers: [
          {
            id: 'host-1234-a1b2c3',
            host: 'host',
            pid: 1234,
            mode: 'worker',
            version: '0.1.0',
            concurrency: 10,
            status: 'online',
            startedAt: '2025-03-01T08:00:00Z',
            uptimeSeconds: 7200,
            processed: 5312,
            failed: 2,
            nowRunning: [{ runId: '0b7e…', job: 'nightly-report', startedAt: '2025-03-01T09:59:40Z', elapsedSeconds: 20 }],
            lastSeen: '2025-03-01T09:59:58Z',
            lastSeenAgeSeconds: 2,
          },
        ],
      },
    },
  })
  @ApiResponse({ status: 400, schema: { example: AT_400 } })
  @ApiCachedRead()
  async workers(@Req() req: FastifyRequest, @Query() q: AtQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const at = await this.pit.parseAt(q.at);
    // Heartbeats (job_workers) are not in the log: READ_CACHE_MAX_AGE_MS bounds how old they can be here.
    const body = await this.cache.answer({ endpoint: 'system-workers', scope: tenant, reads: ['job_queue', 'job_worker_history'] }, at, () =>
      this.views.workers(at, tenant),
    );
    return sendCached(req, reply, body);
  }

  @Get('runs/recent')
  @TenantScope('tenant', "the tenant's runs only")
  @ApiOperation({ summary: 'The last 50 runs across all jobs (of its tenant, for a tenant-scoped token): state, created, completed, retries (admin).' })
  @ApiResponse({
    status: 200,
    headers: { ...ApiAsOfHeader, ...ApiEtagHeader },
    schema: {
      example: {
        runs: [
          { runId: '0b7e…', job: 'nightly-report', state: 'succeeded', createdAt: '2025-03-01T10:00:00Z', completedAt: '2025-03-01T10:00:19Z', retries: 0 },
        ],
      },
    },
  })
  @ApiCachedRead()
  async recent(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const body = await this.cache.answer({ endpoint: 'system-runs-recent', scope: tenant, reads: ['job_queue', 'job_runs'] }, null, async () => ({
      asOf: this.clock.now(),
      body: await this.views.recentRuns(tenant),
    }));
    return sendCached(req, reply, body);
  }

  @Get('metrics')
  @TenantScope('tenant', "the tenant's runs only")
  @ApiOperation({
    summary:
      'Per job over the window (default 24h), terminal runs only: runs, failures, success rate with band (green ≥ 99, neutral ≥ 90, red), p50/p95/max duration, last run (admin).',
  })
  @ApiResponse({
    status: 200,
    headers: { ...ApiAsOfHeader, ...ApiEtagHeader },
    schema: {
      example: {
        window: '24h',
        from: '2025-02-28T10:00:00Z',
        to: '2025-03-01T10:00:00Z',
        jobs: [
          {
            job: 'nightly-report',
            runs: 24,
            failures: 1,
            successRate: 95.8,
            band: 'neutral',
            p50Ms: 1200,
            p95Ms: 4100,
            maxMs: 5020,
            lastRunAt: '2025-03-01T09:00:04Z',
            lastRunAgeSeconds: 3596,
          },
        ],
      },
    },
  })
  @ApiCachedRead()
  async metrics(@Req() req: FastifyRequest, @Query() q: MetricsQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const window = q.window ?? '24h';
    const m = /^(\d+)(h|d)$/.exec(window)!;
    const ms = Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 86_400_000);
    if (ms > 30 * 86_400_000) throw BadInput.field('window', 'must be at most 30d');
    const body = await this.cache.answer({ endpoint: 'system-metrics', scope: tenant, variant: window, reads: ['job_runs'] }, null, async () => {
      const now = this.clock.now();
      return { asOf: now, body: metricsView(await this.views.terminalRunsSince(new Date(now.getTime() - ms), tenant), now, ms) };
    });
    return sendCached(req, reply, body);
  }

  @Post('janitor')
  @TenantScope('installation', "cluster housekeeping over every tenant's runs and workers")
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run the queue janitor now (it also runs every 15 min): its six rules. Audited (admin; 403 for a tenant-scoped token: it is cluster housekeeping).',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        failedActive: 0,
        cancelledPending: 2,
        expired: 0,
        droppedCompleted: 120,
        droppedFailed: 0,
        reapedWorkers: 1,
        abandonedRuns: 1,
        expiredIdempotencyKeys: 4,
      },
    },
  })
  janitor(@Body() body: JanitorDto, @Operator() ctx: OperatorContext) {
    return this.jobs.janitor(ctx, body.reason ?? 'manual janitor run');
  }

  @Post('fail-active')
  @TenantScope('tenant', "fails the tenant's running runs only")
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Force-fail every running run (its tenant\'s only, for a tenant-scoped token; use when workers are stuck). Requires {"confirm": true, "reason": "…"}. Audited (admin).',
  })
  @ApiResponse({ status: 200, schema: { example: { failed: 3 } } })
  @ApiResponse({
    status: 400,
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'confirm: confirm must be true to act on every matching run',
        fields: [{ field: 'confirm', problem: 'confirm must be true to act on every matching run' }],
      },
    },
  })
  failActive(@Body() body: ConfirmDto, @Operator() ctx: OperatorContext) {
    return this.jobs.failActive(ctx, body.reason);
  }

  @Post('cancel-pending')
  @TenantScope('tenant', "cancels the tenant's waiting runs only")
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel every waiting run (its tenant\'s only, for a tenant-scoped token; schedules recreate recurring ones on their next tick). Requires {"confirm": true, "reason": "…"}. Audited (admin).',
  })
  @ApiResponse({ status: 200, schema: { example: { cancelled: 14 } } })
  cancelPending(@Body() body: ConfirmDto, @Operator() ctx: OperatorContext) {
    return this.jobs.cancelPending(ctx, body.reason);
  }
}
