import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MaintenanceExempt } from '../access/maintenance-gate';
import { Roles } from '../access/roles.decorator';
import { inScope } from '../access/tenant-scope';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { badRequestExample, conflictExample } from '../http/error-examples';
import { Clock, CLOCK } from '../shared/clock';
import { GetMaintenanceQuery } from './get-maintenance.query';
import { ListMaintenanceQuery } from './list-maintenance.query';
import { ChangeMaintenanceCommand, foreignTenant } from './maintenance.commands';
import { EndMaintenanceDto, ScheduleMaintenanceDto } from './maintenance.dto';
import { maintenanceView, MaintenanceView } from './maintenance.view';

export const WINDOW_EXAMPLE = {
  mode: 'read_only',
  banner: 'Scheduled maintenance: changes are paused until 14:00 UTC.',
  startsAt: '2026-11-28T12:00:00.000Z',
  endsAt: '2026-11-28T14:00:00.000Z',
  reason: 'PostgreSQL 17 upgrade of the acme shard',
  scheduledBy: 'alice',
  scheduledAt: '2026-11-27T09:00:00.000Z',
};
const VIEW_EXAMPLE = { tenant: 'acme', status: 'scheduled', window: WINDOW_EXAMPLE, last: null };
const ENDED_EXAMPLE = {
  tenant: 'acme',
  status: 'none',
  window: null,
  last: {
    mode: 'read_only',
    startedAt: '2026-11-28T12:00:00.000Z',
    endedAt: '2026-11-28T13:20:00.000Z',
    how: 'ended_early',
    by: 'alice',
    reason: 'upgrade finished early',
  },
};
const NOT_FOUND = {
  status: 404,
  description: 'A tenant-scoped token naming another tenant (any other name answers the same); nothing is appended.',
  schema: { example: { statusCode: 404, error: 'Not Found', message: foreignTenant().message } },
};
const OWN = "a scoped token: its own tenant's only (another tenant → 404, like an unknown one)";

/**
 * Per-tenant maintenance (admin; a scoped admin for its own tenant). These routes stay open to the
 * tenant in maintenance (@MaintenanceExempt), so its admin can still read, change or end it.
 */
@ApiTags('maintenance')
@ApiBearerAuth()
@Controller('api')
export class MaintenanceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('maintenance')
  @Roles('viewer')
  @MaintenanceExempt()
  @TenantScope('tenant', "the caller's tenant only")
  @ApiOperation({ summary: 'Every tenant that has had a maintenance window: its current one (scheduled or active, by the clock) and the last finished one.' })
  @ApiResponse({ status: 200, schema: { example: { items: [VIEW_EXAMPLE] } } })
  async list(@CallerTenant() scope: string | null): Promise<{ items: MaintenanceView[] }> {
    const now = this.clock.now();
    return { items: (await this.queries.execute(new ListMaintenanceQuery(scope))).map((r) => maintenanceView(r.tenant, r, now)) };
  }

  @Get('tenants/:tenant/maintenance')
  @Roles('viewer')
  @MaintenanceExempt()
  @TenantScope('tenant', OWN)
  @ApiOperation({ summary: "A tenant's maintenance: status (none, scheduled, active), the current window with who and why, and the last finished one." })
  @ApiParam({ name: 'tenant', example: 'acme' })
  @ApiResponse({ status: 200, schema: { example: VIEW_EXAMPLE } })
  @ApiResponse(NOT_FOUND)
  async get(@Param('tenant') tenant: string, @CallerTenant() scope: string | null): Promise<MaintenanceView> {
    if (!inScope(scope, tenant)) throw foreignTenant();
    return maintenanceView(tenant, await this.queries.execute(new GetMaintenanceQuery(tenant)), this.clock.now());
  }

  @Put('tenants/:tenant/maintenance')
  @Roles('admin')
  @MaintenanceExempt()
  @TenantScope('tenant', OWN)
  @ApiOperation({
    summary:
      "Start (no startsAt) or schedule a maintenance window for a tenant, read_only or offline, with a banner; replaces the tenant's current window (admin, audited as maintenance.schedule).",
  })
  @ApiParam({ name: 'tenant', example: 'acme' })
  @ApiResponse({ status: 200, schema: { example: VIEW_EXAMPLE } })
  @ApiResponse(badRequestExample('endsAt', 'must be after startsAt'))
  @ApiResponse(NOT_FOUND)
  schedule(@Param('tenant') tenant: string, @Body() b: ScheduleMaintenanceDto, @Operator() ctx: OperatorContext): Promise<MaintenanceView> {
    return this.commands.execute(
      new ChangeMaintenanceCommand(ctx, tenant, b.reason, {
        kind: 'schedule',
        mode: b.mode,
        banner: b.banner,
        startsAt: b.startsAt ?? null,
        endsAt: b.endsAt ?? null,
      }),
    );
  }

  @Delete('tenants/:tenant/maintenance')
  @HttpCode(200)
  @Roles('admin')
  @MaintenanceExempt()
  @TenantScope('tenant', OWN)
  @ApiOperation({ summary: "End the tenant's open window early, or call off a scheduled one (admin, audited as maintenance.end)." })
  @ApiParam({ name: 'tenant', example: 'acme' })
  @ApiResponse({ status: 200, schema: { example: ENDED_EXAMPLE } })
  @ApiResponse(conflictExample('tenant "acme" is not in maintenance and has none scheduled'))
  @ApiResponse(NOT_FOUND)
  end(@Param('tenant') tenant: string, @Body() b: EndMaintenanceDto, @Operator() ctx: OperatorContext): Promise<MaintenanceView> {
    return this.commands.execute(new ChangeMaintenanceCommand(ctx, tenant, b.reason, { kind: 'end' }));
  }
}
