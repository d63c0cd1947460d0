import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import type { RestoreDrillRow } from '../../projections/restore-drills/restore-drills.projection';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { PG_POOL } from '../database/database.module';
import { RecordRestoreDrillDto } from './restore-drill.dto';
import { RestoreDrills } from './record-restore-drill';

const example = {
  drillId: '3d5e…',
  owner: 'alice',
  result: 'passed',
  notes: 'restored into staging; bodies matched',
  eventsRestored: 1250000,
  durationSeconds: 184,
  performedAt: '2026-11-25T09:30:00.000Z',
};

@ApiTags('backup')
@ApiBearerAuth()
@Controller('api/ops/restore-drills')
export class RestoreDrillsController {
  constructor(
    private readonly drills: RestoreDrills,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Post()
  @Roles('admin')
  @TenantScope('installation', 'a restore drill is of the whole installation')
  @ApiOperation({ summary: 'Record a restore drill (owner and result); the latest shows in ops health.' })
  @ApiResponse({ status: 201, schema: { example } })
  record(@Body() body: RecordRestoreDrillDto, @Operator() ctx: OperatorContext) {
    return this.drills.record(ctx, body);
  }

  @Get()
  @Roles('viewer')
  @TenantScope('shared', "drills of the whole installation, no tenant's data (ops health shows the latest to every caller)")
  @ApiOperation({ summary: 'Recorded restore drills, newest first.' })
  @ApiResponse({ status: 200, schema: { example: { items: [example] } } })
  async list() {
    const { rows } = await this.pool.query<{ doc: RestoreDrillRow }>(`SELECT doc FROM rm_restore_drills ORDER BY doc->>'performedAt' DESC LIMIT 100`);
    return { items: rows.map((r) => r.doc) };
  }
}
