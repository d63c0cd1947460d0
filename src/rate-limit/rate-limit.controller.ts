import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import type { RateLimitOverrideRow } from '../../projections/rate-limit-overrides/rate-limit-overrides.projection';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { PG_POOL } from '../database/database.module';
import { Clock, CLOCK } from '../shared/clock';
import { GrantOverrideDto, RevokeOverrideDto } from './grant-override.dto';
import { GrantOverrideCommand, RevokeOverrideCommand } from './override.commands';

const example = {
  id: '0c6f…',
  subject: { tenant: 'acme' },
  limit: 5000,
  expiresAt: '2026-11-25T15:00:00.000Z',
  reason: 'backfill',
  grantedBy: 'alice',
  grantedAt: '2026-11-25T14:00:00.000Z',
  revokedAt: null,
  revokedBy: null,
  revokeReason: null,
  active: true,
};

@ApiTags('rate limits')
@ApiBearerAuth()
@Controller('api/rate-limits/overrides')
export class RateLimitController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private view(r: RateLimitOverrideRow) {
    const { expiresAtEpochMs, ...rest } = r;
    return { ...rest, active: !r.revokedAt && expiresAtEpochMs > this.clock.now().getTime() };
  }

  @Post()
  @Roles('admin')
  @TenantScope('installation', "a tenant may not lift its own (or anyone's) limit")
  @ApiOperation({ summary: 'Lift the rate limit for a tenant or client address until expiresAt (audited; ends on its own).' })
  @ApiResponse({ status: 201, schema: { example } })
  async grant(@Body() body: GrantOverrideDto, @Operator() ctx: OperatorContext) {
    return this.view(await this.commands.execute(new GrantOverrideCommand(ctx, body.subject, body.limit, body.expiresAt, body.reason)));
  }

  @Get()
  @Roles('admin')
  @TenantScope('tenant', 'overrides granted to the tenant only (none by address)')
  @ApiOperation({ summary: 'Every override, newest first, with whether it is active now (a tenant-scoped token: those for its tenant only).' })
  @ApiResponse({ status: 200, schema: { example: { items: [example] } } })
  async list(@CallerTenant() tenant: string | null) {
    const { rows } = await this.pool.query<{ doc: RateLimitOverrideRow }>(
      `SELECT doc FROM rm_rate_limit_overrides WHERE $1::text IS NULL OR doc->'subject'->>'tenant' = $1 ORDER BY doc->>'grantedAt' DESC LIMIT 500`,
      [tenant],
    );
    return { items: rows.map((r) => this.view(r.doc)) };
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('installation', "a tenant may not end an override (its own or another's)")
  @ApiOperation({ summary: 'End an override early (audited).' })
  @ApiResponse({
    status: 200,
    schema: { example: { ...example, revokedAt: '2026-11-25T14:30:00.000Z', revokedBy: 'bob', revokeReason: 'done', active: false } },
  })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: RevokeOverrideDto, @Operator() ctx: OperatorContext) {
    return this.view(await this.commands.execute(new RevokeOverrideCommand(ctx, id, body.reason)));
  }
}
