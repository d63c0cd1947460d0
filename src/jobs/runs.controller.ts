import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { inScope } from '../access/tenant-scope';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { rfc3339 } from '../shared/clock';
import { NotFound } from '../shared/errors';
import { parseWindow } from '../shared/time-window';
import { ListRunsQuery } from './dto/list-runs.dto';
import { CancelRunDto, RetryRunDto } from './dto/run-job.dto';
import { JobsService } from './jobs.service';
import { RunReadModel } from './run-read-model';
import { parseRunCursor } from './run-search';
import { runView } from './views/run.view';

const RUN_EXAMPLE = {
  runId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11',
  job: 'nightly-report',
  state: 'succeeded',
  trigger: 'manual',
  actor: 'ann',
  reason: 'validate config',
  tenant: null,
  params: { dryRun: true },
  priority: 'normal',
  attempt: 1,
  maxAttempts: 3,
  retries: 0,
  createdAt: '2025-03-01T10:00:00Z',
  readyAt: '2025-03-01T10:00:00Z',
  startedAt: '2025-03-01T10:00:01Z',
  completedAt: '2025-03-01T10:00:19Z',
  durationMs: 18000,
  exitCode: 0,
  error: null,
  workerId: 'host-1234-a1b2c3',
  scheduledFor: null,
  retryOf: null,
  expiresAt: null,
  cancelRequest: null,
  logTail: 'done\n',
  errorSignature: null,
};

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/runs')
export class RunsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly runs: RunReadModel,
  ) {}

  @Get()
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's runs only")
  @ApiOperation({
    summary:
      'Runs, newest first (createdAt, then run id), filtered by job, state, tenant, trigger, actor, createdAt window, exit code, text in the error or log tail (q) and failure signature; keyset-paged with nextCursor. A tenant-scoped token sees its tenant only.',
  })
  @ApiResponse({
    status: 200,
    schema: { example: { runs: [RUN_EXAMPLE], nextCursor: 'MjAyNi0wMy0wMVQxMDowNjo1OC4xMTRafDBiN2U1YzFlLThhNTUtNGI4ZS05ZDBlLTBiMWY3YTNjMmQxMQ' } },
  })
  @ApiResponse({
    status: 400,
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'q: q must be longer than or equal to 3 characters',
        fields: [{ field: 'q', problem: 'q must be longer than or equal to 3 characters' }],
      },
    },
  })
  async list(@Query() q: ListRunsQuery, @CallerTenant() scope: string | null) {
    const { from, to } = parseWindow(q);
    const after = q.cursor === undefined ? undefined : parseRunCursor(q.cursor);
    const page = await this.runs.search(
      {
        scope,
        state: q.state,
        job: q.job,
        tenant: q.tenant,
        trigger: q.trigger,
        actor: q.actor,
        from,
        to,
        exitCode: q.exitCode,
        q: q.q,
        signature: q.signature,
        after,
      },
      q.limit ?? 50,
    );
    return { runs: page.runs.map((r) => runView(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles('viewer')
  @TenantScope('tenant', "404 for another tenant's run")
  @ApiOperation({ summary: 'One run, folded from its stream, with its whole event history.' })
  @ApiResponse({
    status: 200,
    schema: {
      example: { run: RUN_EXAMPLE, events: [{ revision: 0, type: 'RunEnqueued', at: '2025-03-01T10:00:00Z', actor: 'ann', causationId: 'a1…', data: {} }] },
    },
  })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: 'run … does not exist' } } })
  async get(@Param('id') id: string, @CallerTenant() tenant: string | null) {
    const r = await this.runs.run(id);
    if (!r || !inScope(tenant, r.row.tenant)) throw new NotFound(`run ${id} does not exist`); // not 403: a scoped token must not learn others' run ids
    return {
      run: runView(r.row, { logTail: true }),
      events: r.events.map((e) => ({
        revision: Number(e.revision),
        position: String(e.position),
        type: e.type,
        at: rfc3339(e.metadata.occurredAt ?? e.recordedAt),
        actor: e.metadata.actor ?? null,
        causationId: e.metadata.causationId ?? null,
        correlationId: e.metadata.correlationId ?? null,
        data: e.data,
      })),
    };
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's run")
  @ApiOperation({
    summary: 'Cooperative cancel: only for cancellable jobs (409 otherwise, with the reason). A waiting run ends at once; a running one is signalled.',
  })
  @ApiResponse({ status: 202, schema: { example: { runId: '0b7e…', job: 'nightly-report', state: 'cancelling' } } })
  @ApiResponse({
    status: 409,
    schema: {
      example: {
        statusCode: 409,
        error: 'Conflict',
        message: 'job "daily-mrr-rollup" is not cancellable: its handler has no cooperative cancel hook, so stopping it could leave half-done work',
      },
    },
  })
  cancel(@Param('id') id: string, @Body() body: CancelRunDto, @Operator() ctx: OperatorContext) {
    return this.jobs.cancel(id, body.reason, ctx);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's run or a run of a job that is not the tenant's")
  @ApiOperation({ summary: 'Retry a failed, cancelled or expired run as a new run, with the same or adjusted params. 409 for manualRun=false jobs.' })
  @ApiResponse({ status: 202, schema: { example: { runId: '7d1a…', retryOf: '0b7e…', job: 'nightly-report', state: 'pending' } } })
  @ApiResponse({
    status: 409,
    schema: { example: { statusCode: 409, error: 'Conflict', message: 'only failed, cancelled or expired runs can be retried; this run is running' } },
  })
  retry(@Param('id') id: string, @Body() body: RetryRunDto, @Operator() ctx: OperatorContext) {
    return this.jobs.retry(id, body, ctx);
  }
}
