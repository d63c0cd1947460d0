import { Body, Controller, Headers, HttpCode, HttpException, Inject, Param, Post, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { Clock, CLOCK } from '../shared/clock';
import { etagOf, matchesIfNoneMatch } from './flag.view';
import { GetFlagQuery } from './get-flag.query';
import { ListFlagsQuery } from './list-flags.query';
import { ofrepError, ofrepEvaluation } from './ofrep.view';

const SHARED = 'global flags: the same evaluation for every caller (no tenant overrides)';
const BODY = { schema: { type: 'object', properties: { context: { type: 'object', additionalProperties: true, example: { targetingKey: 'user-42' } } } } };
const EVALUATION = {
  key: 'checkout.new-flow',
  value: true,
  reason: 'STATIC',
  variant: 'set',
  metadata: { type: 'boolean', expiresAt: '2026-11-25T18:00:00.000Z' },
};

/** The request body OFREP defines: `{ "context": { ... } }`, both optional; anything else is a 400 naming the field. */
function checkBody(body: unknown, key: string | null): void {
  const bad = (field: string, problem: string) => new HttpException(ofrepError(400, key, 'INVALID_CONTEXT', problem, field), 400);
  if (body === undefined || body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'must be a JSON object');
  for (const field of Object.keys(body)) if (field !== 'context') throw bad(field, 'is not a known field');
  const context = (body as { context?: unknown }).context;
  if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) throw bad('context', 'must be a JSON object');
}

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP) core endpoints, so any OpenFeature SDK with an
 * OFREP provider reads opsledger's flags (bearer token of any role).
 */
@ApiTags('flags')
@ApiBearerAuth()
@Controller('ofrep/v1/evaluate/flags')
export class OfrepController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':key')
  @HttpCode(200)
  @Roles('viewer')
  @TenantScope('shared', SHARED)
  @ApiOperation({ summary: 'OFREP single flag evaluation: the value the flag serves now; the context is accepted (no targeting).' })
  @ApiParam({ name: 'key', example: 'checkout.new-flow' })
  @ApiBody(BODY)
  @ApiResponse({ status: 200, schema: { example: EVALUATION } })
  @ApiResponse({ status: 404, schema: { example: ofrepError(404, 'nope', 'FLAG_NOT_FOUND', 'no flag "nope"') } })
  async evaluate(@Param('key') key: string, @Body() body: unknown) {
    checkBody(body, key);
    const row = await this.queries.execute(new GetFlagQuery(key));
    if (!row) throw new HttpException(ofrepError(404, key, 'FLAG_NOT_FOUND', `no flag "${key}"`), 404);
    return ofrepEvaluation(row, this.clock.now());
  }

  @Post()
  @HttpCode(200)
  @Roles('viewer')
  @TenantScope('shared', SHARED)
  @ApiOperation({ summary: 'OFREP bulk evaluation: every flag. ETag; If-None-Match answers 304 while nothing changed.' })
  @ApiHeader({ name: 'if-none-match', required: false, description: 'The ETag of an earlier answer' })
  @ApiBody(BODY)
  @ApiResponse({ status: 200, schema: { example: { flags: [EVALUATION] } } })
  @ApiResponse({ status: 304, description: 'Nothing changed since the ETag given in If-None-Match.' })
  async bulk(@Body() body: unknown, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    checkBody(body, null);
    const now = this.clock.now();
    const answer = { flags: (await this.queries.execute(new ListFlagsQuery())).map((r) => ofrepEvaluation(r, now)) };
    const etag = etagOf(answer);
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (matchesIfNoneMatch(ifNoneMatch, etag)) {
      void reply.status(304);
      return undefined;
    }
    return answer;
  }
}
