import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { WhatIfDto } from './what-if.dto';
import { WHAT_IF_EXAMPLE } from './what-if.example';
import { WhatIfQuery } from './what-if.query';

@ApiTags('replay')
@ApiBearerAuth()
@Controller('api/replay')
export class WhatIfController {
  constructor(private readonly queries: QueryBus) {}

  @Post('what-if')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('tenant', "replays the tenant's targets and runs only")
  @ApiOperation({
    summary:
      'Replay the recorded poll outcomes and job results of a window through the same deciders with another policy, next to what actually happened. Appends nothing.',
  })
  @ApiResponse({
    status: 200,
    description: 'Per target and job, and in total: what happened (actual) and what the policy would have done (whatIf).',
    schema: { example: WHAT_IF_EXAMPLE },
  })
  @ApiBadRequestResponse({
    description: 'A field is invalid; the message and `fields` name it.',
    schema: {
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'policy.breaker.failureThreshold: failureThreshold must not be less than 1',
        fields: [{ field: 'policy.breaker.failureThreshold', problem: 'failureThreshold must not be less than 1' }],
      },
    },
  })
  whatIf(@Body() body: WhatIfDto, @Operator() ctx: OperatorContext) {
    return this.queries.execute(new WhatIfQuery(body, ctx.tenant));
  }
}
