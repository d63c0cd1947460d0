import { Body, Controller, Delete, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { inScope } from '../access/tenant-scope';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { ApiAsOfHeader, AS_OF_HEADER, AtQuery } from '../point-in-time/at.dto';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { ClearFreshnessObjectiveDto, SetFreshnessObjectiveDto } from '../polling/freshness-objective.dto';
import { TargetCommands } from '../polling/target-commands.service';
import { TargetRepository } from '../polling/target-repository';
import { NotFound } from '../shared/errors';
import { SLO_EXAMPLE } from './slo.example';
import { SloService } from './slo.service';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*::[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NOT_FOUND = {
  status: 404,
  description: "No such target, another tenant's target (the same answer), or (GET) a target without a freshness objective.",
  schema: { example: { statusCode: 404, error: 'Not Found', message: 'target instance::eu-1 has no freshness objective' } },
};
const BAD_INPUT = {
  status: 400,
  schema: {
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'objective: must be a percentage more than 0 and less than 100, e.g. 99.5',
      fields: [{ field: 'objective', problem: 'must be a percentage more than 0 and less than 100, e.g. 99.5' }],
    },
  },
};
const BAD_AT = {
  status: 400,
  description: '`at` malformed, before the first event or in the future.',
  schema: {
    example: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'at: must be an RFC 3339 timestamp; valid range: from 2025-10-20T12:00:00Z (the first event) to now (2025-10-20T13:05:42Z)',
      fields: [
        { field: 'at', problem: 'must be an RFC 3339 timestamp; valid range: from 2025-10-20T12:00:00Z (the first event) to now (2025-10-20T13:05:42Z)' },
      ],
    },
  },
};
const CHANGED = (freshness: unknown, event: string) => ({ status: 200, schema: { example: { key: 'instance::eu-1', freshness, events: [event] } } });

/** Freshness objectives of polling targets: set and clear them (audited), read attainment, error budget and burn rates. */
@ApiTags('slo')
@ApiBearerAuth()
@Controller('api')
export class SloController {
  constructor(
    private readonly slo: SloService,
    private readonly commands: TargetCommands,
    private readonly repo: TargetRepository,
    private readonly pit: PointInTime,
  ) {}

  /** Another tenant's target answers like a missing one; checked against the log, not the lagging read model. */
  private async visible(key: string, tenant: string | null): Promise<string> {
    if (!KEY.test(key)) throw new NotFound(`no target ${key}`);
    if (tenant !== null) {
      const { state } = await this.repo.load(key);
      if (!state || !inScope(tenant, state.spec.tenant)) throw new NotFound(`no target ${key}`);
    }
    return key;
  }

  @Get('targets/:key/slo')
  @Roles('viewer')
  @TenantScope('tenant', "404 for another tenant's target (live and `?at=`)")
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({
    summary:
      'The target\'s freshness objective: attainment over its window, error budget, burn rates over the alert windows and current freshness, computed from the poll events (docs/operations.md, "Freshness objectives"). `?at=` answers as of a past instant.',
  })
  @ApiResponse({ status: 200, headers: ApiAsOfHeader, schema: { example: SLO_EXAMPLE } })
  @ApiResponse(BAD_AT)
  @ApiResponse(NOT_FOUND)
  async get(@Param('key') key: string, @Query() q: AtQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    if (!KEY.test(key)) throw new NotFound(`no target ${key}`);
    const r = await this.slo.one(key, await this.pit.parseAt(q.at), tenant);
    void reply.header(AS_OF_HEADER, r.asOf.toISOString());
    return r.body;
  }

  @Put('targets/:key/slo')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({
    summary:
      'Set or change the freshness objective (operator, reason required). Audited as target.set_freshness_objective; the same objective again appends nothing. A config-file target gets its declared one back at the next start.',
  })
  @ApiResponse(CHANGED({ objective: 99.5, maxAgeSeconds: 300, window: '30d' }, 'FreshnessObjectiveSet'))
  @ApiResponse(BAD_INPUT)
  @ApiResponse(NOT_FOUND)
  async set(@Param('key') key: string, @Body() body: SetFreshnessObjectiveDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const { reason, objective, maxAgeSeconds, window } = body;
    const res = await this.commands.setFreshnessObjective(await this.visible(key, tenant), { objective, maxAgeSeconds, window }, op, reason);
    return { key, freshness: res.state?.spec.freshness ?? null, events: res.events.map((e) => e.type) };
  }

  @Delete('targets/:key/slo')
  @Roles('operator')
  @TenantScope('tenant', "404 for another tenant's target")
  @ApiParam({ name: 'key', example: 'instance::eu-1' })
  @ApiOperation({ summary: 'Clear the freshness objective (operator, reason required). Audited as target.clear_freshness_objective.' })
  @ApiResponse(CHANGED(null, 'FreshnessObjectiveCleared'))
  @ApiResponse(BAD_INPUT)
  @ApiResponse(NOT_FOUND)
  async clear(@Param('key') key: string, @Body() body: ClearFreshnessObjectiveDto, @Operator() op: OperatorContext, @CallerTenant() tenant: string | null) {
    const res = await this.commands.clearFreshnessObjective(await this.visible(key, tenant), op, body.reason);
    return { key, freshness: res.state?.spec.freshness ?? null, events: res.events.map((e) => e.type) };
  }

  @Get('slo')
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's targets only")
  @ApiOperation({ summary: 'Every target with a freshness objective, worst first (least error budget left). `?at=` answers as of a past instant.' })
  @ApiResponse({ status: 200, headers: ApiAsOfHeader, schema: { example: { targets: [SLO_EXAMPLE] } } })
  @ApiResponse(BAD_AT)
  async list(@Query() q: AtQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() tenant: string | null) {
    const r = await this.slo.list(await this.pit.parseAt(q.at), tenant);
    void reply.header(AS_OF_HEADER, r.asOf.toISOString());
    return r.body;
  }
}
