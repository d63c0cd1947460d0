import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { Clock, CLOCK } from '../shared/clock';
import { NotFound } from '../shared/errors';
import { ChangeFlagCommand } from './flag.commands';
import { FlagHistoryEntry, FlagHistoryQuery } from './flag-history.query';
import { etagOf, flagView, FlagView, matchesIfNoneMatch } from './flag.view';
import { ClearFlagValueDto, DefineFlagDto, RedefineFlagDto, SetFlagValueDto } from './flags.dto';
import { GetFlagQuery } from './get-flag.query';
import { ListFlagsQuery } from './list-flags.query';
import { badRequestExample, conflictExample } from '../http/error-examples';

const EXAMPLE = {
  key: 'checkout.new-flow',
  description: 'Serve the new checkout flow',
  type: 'boolean',
  defaultValue: false,
  value: true,
  source: 'set',
  expiresAt: '2026-11-25T18:00:00.000Z',
  setBy: 'alice',
  setAt: '2026-11-25T14:00:00.000Z',
  updatedAt: '2026-11-25T14:00:00.000Z',
};
const SHARED = 'global flags: the same for every caller (no tenant overrides)';
const GLOBAL_CHANGE = 'a flag is global: a tenant may not change it';
const notFound = (key: string) => new NotFound(`no flag "${key}"; GET /api/flags lists them`);

@ApiTags('flags')
@ApiBearerAuth()
@Controller('api/flags')
export class FlagsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('viewer')
  @TenantScope('shared', SHARED)
  @ApiOperation({ summary: 'Every flag with the value it serves now (expiry applied at read time). ETag; If-None-Match answers 304 while nothing changed.' })
  @ApiHeader({ name: 'if-none-match', required: false, description: 'The ETag of an earlier answer' })
  @ApiResponse({ status: 200, schema: { example: { flags: [EXAMPLE] } } })
  @ApiResponse({ status: 304, description: 'Nothing changed since the ETag given in If-None-Match.' })
  async list(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ flags: FlagView[] } | undefined> {
    const now = this.clock.now();
    const body = { flags: (await this.queries.execute(new ListFlagsQuery())).map((r) => flagView(r, now)) };
    const etag = etagOf(body);
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (matchesIfNoneMatch(ifNoneMatch, etag)) {
      void reply.status(304);
      return undefined;
    }
    return body;
  }

  @Get(':key')
  @Roles('viewer')
  @TenantScope('shared', SHARED)
  @ApiOperation({ summary: 'One flag with the value it serves now.' })
  @ApiParam({ name: 'key', example: 'checkout.new-flow' })
  @ApiResponse({ status: 200, schema: { example: EXAMPLE } })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: 'no flag "nope"; GET /api/flags lists them' } } })
  async get(@Param('key') key: string): Promise<FlagView> {
    const row = await this.queries.execute(new GetFlagQuery(key));
    if (!row) throw notFound(key);
    return flagView(row, this.clock.now());
  }

  @Get(':key/history')
  @Roles('admin')
  @TenantScope('installation', 'who changed a global flag and why: operator records of the installation')
  @ApiOperation({ summary: "A flag's events, oldest first: definition, values set and cleared, expiries, each with who and when (admin)." })
  @ApiParam({ name: 'key', example: 'checkout.new-flow' })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        key: 'checkout.new-flow',
        events: [
          {
            revision: 1,
            type: 'FlagValueSet',
            data: {
              key: 'checkout.new-flow',
              value: true,
              expiresAt: '2026-11-25T18:00:00.000Z',
              reason: 'canary',
              setBy: 'alice',
              setAt: '2026-11-25T14:00:00.000Z',
            },
            actor: 'alice',
            recordedAt: '2026-11-25T14:00:00.012Z',
            causationId: '5b0e…',
          },
        ],
      },
    },
  })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: 'no flag "nope"; GET /api/flags lists them' } } })
  async history(@Param('key') key: string): Promise<{ key: string; events: FlagHistoryEntry[] }> {
    const events = await this.queries.execute(new FlagHistoryQuery(key));
    if (!events.length) throw notFound(key);
    return { key, events };
  }

  @Post()
  @Roles('admin')
  @TenantScope('installation', GLOBAL_CHANGE)
  @ApiOperation({ summary: 'Define a flag: key, description, type (boolean, string, number, json) and default value (admin, audited as flag.define).' })
  @ApiResponse({ status: 201, schema: { example: { ...EXAMPLE, value: false, source: 'default', expiresAt: null, setBy: null, setAt: null } } })
  @ApiResponse(badRequestExample('defaultValue', 'must be true or false (the flag is boolean)'))
  @ApiResponse(conflictExample('flag "checkout.new-flow" exists already; PATCH /api/flags/checkout.new-flow changes its description or default'))
  async define(@Body() b: DefineFlagDto, @Operator() ctx: OperatorContext): Promise<FlagView> {
    const row = await this.commands.execute(
      new ChangeFlagCommand(ctx, b.key, b.reason, { kind: 'define', description: b.description, type: b.type, defaultValue: b.defaultValue }),
    );
    return flagView(row, this.clock.now());
  }

  @Patch(':key')
  @Roles('admin')
  @TenantScope('installation', GLOBAL_CHANGE)
  @ApiOperation({ summary: "Change a flag's description or default value; the type stays (admin, audited as flag.redefine)." })
  @ApiParam({ name: 'key', example: 'checkout.new-flow' })
  @ApiResponse({ status: 200, schema: { example: EXAMPLE } })
  async redefine(@Param('key') key: string, @Body() b: RedefineFlagDto, @Operator() ctx: OperatorContext): Promise<FlagView> {
    const row = await this.commands.execute(
      new ChangeFlagCommand(ctx, key, b.reason, { kind: 'redefine', description: b.description, defaultValue: b.defaultValue }),
    );
    return flagView(row, this.clock.now());
  }

  @Put(':key/value')
  @Roles('admin')
  @TenantScope('installation', GLOBAL_CHANGE)
  @ApiOperation({ summary: "Set the flag's value, permanently or until expiresAt (admin, audited as flag.set)." })
  @ApiParam({ name: 'key', example: 'checkout.new-flow' })
  @ApiResponse({ status: 200, schema: { example: EXAMPLE } })
  @ApiResponse(badRequestExample('expiresAt', 'must be in the future'))
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: 'no flag "nope"; GET /api/flags lists them' } } })
  async set(@Param('key') key: string, @Body() b: SetFlagValueDto, @Operator() ctx: OperatorContext): Promise<FlagView> {
    const row = await this.commands.execute(new ChangeFlagCommand(ctx, key, b.reason, { kind: 'set', value: b.value, expiresAt: b.expiresAt ?? null }));
    return flagView(row, this.clock.now());
  }

  @Delete(':key/value')
  @HttpCode(200)
  @Roles('admin')
  @TenantScope('installation', GLOBAL_CHANGE)
  @ApiOperation({ summary: 'Clear the set value: the flag serves its default again (admin, audited as flag.clear).' })
  @ApiParam({ name: 'key', example: 'checkout.new-flow' })
  @ApiResponse({ status: 200, schema: { example: { ...EXAMPLE, value: false, source: 'default', expiresAt: null, setBy: null, setAt: null } } })
  @ApiResponse({
    status: 409,
    schema: { example: { statusCode: 409, error: 'Conflict', message: 'flag "checkout.new-flow" has no value set: it serves its default already' } },
  })
  async clear(@Param('key') key: string, @Body() b: ClearFlagValueDto, @Operator() ctx: OperatorContext): Promise<FlagView> {
    const row = await this.commands.execute(new ChangeFlagCommand(ctx, key, b.reason, { kind: 'clear' }));
    return flagView(row, this.clock.now());
  }
}
