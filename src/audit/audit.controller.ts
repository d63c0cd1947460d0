import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { ListAuditDto } from './list-audit.dto';
import { AuditPage, ListAuditQuery } from './list-audit.query';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin')
  @TenantScope('tenant', "actions taken by the tenant's tokens only")
  @ApiOperation({
    summary:
      'Operator actions that took effect (outcome applied) or were idempotent replays (outcome duplicate), newest first, filtered and paginated with a cursor. Refused attempts are never entries.',
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        items: [
          {
            id: '6f1c…',
            at: '2026-11-25T13:02:11.000Z',
            action: 'job.run',
            target: 'job:nightly-report',
            actor: 'alice',
            role: 'operator',
            tenant: null,
            reason: 're-run after fix',
            outcome: 'applied',
            requestId: 'b1…',
            clientIp: '10.0.0.7',
            details: { runId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11', params: { dryRun: true } },
            hash: '9a4e…',
            position: '1042',
          },
        ],
        nextCursor: 'MTc2NDA3NTczMTAwMHw2ZjFj…',
      },
    },
  })
  list(@Query() filter: ListAuditDto, @CallerTenant() tenant: string | null): Promise<AuditPage> {
    return this.queries.execute(new ListAuditQuery(filter, tenant));
  }
}
