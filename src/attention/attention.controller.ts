import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { badRequestExample } from '../http/error-examples';
import { ApiAsOfHeader, AS_OF_HEADER } from '../point-in-time/at.dto';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { BadInput } from '../shared/errors';
import { ATTENTION_DEFAULT_LIMIT, AttentionQuery } from './attention.dto';
import { ATTENTION_EXAMPLE } from './attention.example';
import { AttentionReader } from './attention.reader';
import { attentionView } from './attention.view';
import { ATTENTION_KINDS } from './sources';

@ApiTags('attention')
@ApiBearerAuth()
@Controller('api/attention')
export class AttentionController {
  constructor(
    private readonly reader: AttentionReader,
    private readonly pit: PointInTime,
  ) {}

  @Get()
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's items and the installation-wide loop items (stale or paused loops); no alerts (live and `?at=`)")
  @ApiOperation({
    summary:
      'Everything that needs an operator now, most urgent first (severity, then the oldest first): stale loops, dead-lettered targets, firing alerts, open breakers, jobs beyond their target duration or piling up, failed runs not resolved by a later success, webhook deliveries in the failures inbox, paused loops and targets. Each item: kind, severity, since, one-line summary, drill-in path, tenant. `counts` per kind on top. `?at=` answers as of a past instant; filters kind, severity, tenant (unscoped tokens), limit.',
  })
  @ApiResponse({ status: 200, headers: ApiAsOfHeader, schema: { example: ATTENTION_EXAMPLE } })
  @ApiResponse(badRequestExample('kind', `must be one of: ${ATTENTION_KINDS.join(', ')}`))
  async list(@Query() q: AttentionQuery, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() caller: string | null) {
    if (caller !== null && q.tenant !== undefined && q.tenant !== caller)
      throw BadInput.field('tenant', `only an unscoped token may choose the tenant; this token sees tenant "${caller}" only (leave tenant out)`);
    const at = await this.pit.parseAt(q.at);
    const scope = caller ?? q.tenant ?? null;
    const facts = await this.reader.facts(at, scope);
    void reply.header(AS_OF_HEADER, facts.now.toISOString());
    return attentionView(facts, { scope, kind: q.kind, severity: q.severity, limit: q.limit ?? ATTENTION_DEFAULT_LIMIT });
  }
}
