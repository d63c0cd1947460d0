import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { badRequestExample, conflictExample, notFoundExample } from '../http/error-examples';
import { Clock, CLOCK } from '../shared/clock';
import { SIGNATURE_PATTERN } from '../shared/error-signature';
import { BadInput } from '../shared/errors';
import { parseWindow } from '../shared/time-window';
import { FailureGroupsQuery } from './failure-groups.query';
import { FailureGroupsDto, RetryFailureGroupDto } from './failures.dto';
import { RetryFailuresCommand } from './retry-failures.command';

/** The window when `from` is not given: the day before `to`. */
const DEFAULT_WINDOW_MS = 24 * 3_600_000;

const GROUP_EXAMPLE = {
  signature: 'ea7831bdd5611ef7',
  pattern: 'exit code <n>: connection refused <ip>:<port> after <n> ms',
  count: 3,
  firstSeen: '2026-03-01T10:00:04.120Z',
  lastSeen: '2026-03-01T10:07:31.052Z',
  jobs: {
    total: 2,
    top: [
      { name: 'orders-sync', count: 2 },
      { name: 'invoice-export', count: 1 },
    ],
  },
  tenants: { total: 1, top: [{ name: 'acme', count: 3 }] },
  example: {
    error: 'exit code 1: connection refused 10.0.0.7:5432 after 3012 ms',
    runId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11',
    job: 'orders-sync',
    tenant: 'acme',
    exitCode: 1,
    at: '2026-03-01T10:07:31.052Z',
  },
  runs: '/api/runs?state=failed&signature=ea7831bdd5611ef7&from=2026-03-01T00:00:00.000Z&to=2026-03-02T00:00:00.000Z',
};

const signatureOf = (raw: string) => {
  if (!SIGNATURE_PATTERN.test(raw)) throw BadInput.field('signature', 'must be a failure signature: 16 lowercase hex characters (GET /api/failures/groups)');
  return raw;
};

@ApiTags('failures')
@ApiBearerAuth()
@Controller('api/failures')
export class FailuresController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('groups')
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's failures only")
  @ApiOperation({
    summary:
      'Failures grouped by error signature over a window, most frequent first: count, first and last seen, affected jobs (or targets) and tenants (top 10 each with totals), the latest failure as an example. source=runs: failed runs, createdAt in the window; source=polls: failed polls, probe start in the window.',
  })
  @ApiResponse({
    status: 200,
    schema: { example: { source: 'runs', from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', groups: [GROUP_EXAMPLE] } },
  })
  @ApiResponse(badRequestExample('source', 'must be runs or polls'))
  async groups(@Query() q: FailureGroupsDto, @CallerTenant() scope: string | null) {
    if (q.source === 'runs' && q.target !== undefined) throw BadInput.field('target', 'applies to source=polls only (runs have a job)');
    if (q.source === 'polls' && q.job !== undefined) throw BadInput.field('job', 'applies to source=runs only (polls have a target)');
    const window = parseWindow(q);
    const to = window.to ?? this.clock.now();
    const from = window.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (to <= from) throw BadInput.field('from', 'must be before to (default: now)');
    const groups = await this.queries.execute(
      new FailureGroupsQuery({ source: q.source, from, to, scope, tenant: q.tenant, job: q.job, target: q.target, limit: q.limit ?? 50 }),
    );
    const drill = (sig: string) =>
      q.source === 'runs'
        ? `/api/runs?state=failed&signature=${sig}&from=${from.toISOString()}&to=${to.toISOString()}${q.job ? `&job=${encodeURIComponent(q.job)}` : ''}${q.tenant ? `&tenant=${encodeURIComponent(q.tenant)}` : ''}`
        : null;
    return {
      source: q.source,
      from: from.toISOString(),
      to: to.toISOString(),
      groups: groups.map((g) => ({ ...g, ...(q.source === 'runs' ? { runs: drill(g.signature) } : {}) })),
    };
  }

  @Post('groups/:signature/retry')
  @Roles('operator')
  @TenantScope('tenant', "the tenant's failed runs only; 404 when it has none of the signature")
  @ApiParam({ name: 'signature', example: 'ea7831bdd5611ef7' })
  @ApiOperation({
    summary:
      'Retry every failed run of one signature (source=runs), optionally narrowed by job, tenant and createdAt window. dryRun: true lists what would be retried (200, nothing recorded). Otherwise confirm must equal that count and the count must not exceed cap; one audit entry (failures.retry) is the causation of every retry run (202). Runs already retried, of jobs no longer defined or manualRun=false are reported, not retried.',
  })
  @ApiResponse({
    status: 202,
    schema: {
      example: {
        signature: 'ea7831bdd5611ef7',
        dryRun: false,
        count: 2,
        auditEventId: '5d0c2f4e-7b1a-4c55-9a8e-0e6f1b2c3d4a',
        retried: [{ runId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11', job: 'orders-sync', tenant: 'acme', newRunId: '7d1a3b9e-2c4f-4e61-8a0b-5c6d7e8f9a01' }],
        notRetried: [{ runId: '9c2b…', job: 'invoice-export', reason: 'already retried by run 4e5f…' }],
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: 'dryRun: true',
    schema: {
      example: {
        signature: 'ea7831bdd5611ef7',
        dryRun: true,
        count: 2,
        cap: 100,
        wouldRetry: [{ runId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11', job: 'orders-sync', tenant: 'acme', failedAt: '2026-03-01T10:07:31.052Z' }],
        notRetried: [],
      },
    },
  })
  @ApiResponse(badRequestExample('confirm', 'is required: the number of runs the dry run (dryRun: true) says would be retried'))
  @ApiResponse(notFoundExample('no failed run has signature ea7831bdd5611ef7'))
  @ApiResponse(conflictExample('confirm: 3 runs would be retried now, not 2: check the dry run (dryRun: true) again and confirm its count'))
  async retry(
    @Param('signature') raw: string,
    @Body() body: RetryFailureGroupDto,
    @Operator() ctx: OperatorContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const signature = signatureOf(raw);
    const { from, to } = parseWindow(body);
    const answer = await this.commands.execute(
      new RetryFailuresCommand(ctx, {
        selection: { signature, scope: ctx.tenant, job: body.job, tenant: body.tenant, from, to },
        reason: body.reason,
        cap: body.cap,
        confirm: body.confirm,
        dryRun: body.dryRun ?? false,
      }),
    );
    void reply.status(answer.dryRun ? 200 : 202);
    return answer;
  }
}
