import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { PurgeRow } from '../../projections/cache-purges/purge-row';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { Operator, OperatorContext } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { BadInput, NotFound } from '../shared/errors';
import { CacheClients, cacheAddress } from './cache-clients';
import { CancelPurgeCommand, StartPurgeCommand } from './cache-purge.commands';
import { CancelPurgeDto, StartPurgeDto } from './caches.dto';
import { PurgesQuery } from './purges.query';
import { badRequestExample, conflictExample } from '../http/error-examples';

const ROW = {
  id: '3f0c2d1e-5a7b-4c4e-9d41-2b7f0e6c9a10',
  cache: 'sessions',
  match: { pattern: 'user:42:*' },
  state: 'running',
  scanned: 1200,
  removed: 1180,
  reason: 'stale profile pages after the user merge',
  startedBy: 'alice',
  startedAt: '2026-11-25T14:00:00.000Z',
  lastProgressAt: '2026-11-25T14:00:02.000Z',
  cancelRequested: null,
  finishedAt: null,
  error: null,
};
const SHARED_MACHINERY = 'caches are shared infrastructure of the installation';
const NO_CACHE = { statusCode: 404, error: 'Not Found', message: 'no cache named "nope"; GET /api/caches lists them (CACHES)' };

@ApiTags('caches')
@ApiBearerAuth()
@Controller('api/caches')
export class CachesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly clients: CacheClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private known(name: string): void {
    if (!this.clients.find(name)) throw new NotFound(`no cache named "${name}"; GET /api/caches lists them (CACHES)`);
  }

  @Get()
  @Roles('admin')
  @TenantScope('installation', SHARED_MACHINERY)
  @ApiOperation({ summary: 'The configured caches (CACHES) without credentials, and the purge rate (admin).' })
  @ApiResponse({ status: 200, schema: { example: { keysPerSecond: 1000, caches: [{ name: 'sessions', address: 'redis://127.0.0.1:6379/0' }] } } })
  list() {
    return { keysPerSecond: this.config.caches.purgeKeysPerSecond, caches: this.clients.caches.map((c) => ({ name: c.name, address: cacheAddress(c.url) })) };
  }

  @Post(':name/purge')
  @HttpCode(202)
  @Roles('admin')
  @TenantScope('installation', SHARED_MACHINERY)
  @ApiOperation({
    summary:
      'Remove one key or every key matching a pattern (SCAN + UNLINK in batches, throttled per cache); runs in the background as a tracked purge; one per cache and key or pattern at a time (admin, audited as cache.purge).',
  })
  @ApiParam({ name: 'name', example: 'sessions' })
  @ApiResponse({ status: 202, schema: { example: { ...ROW, scanned: 0, removed: 0, lastProgressAt: '2026-11-25T14:00:00.000Z' } } })
  @ApiResponse(badRequestExample('confirmAll', 'must be true to purge pattern "*": it matches every key of the cache'))
  @ApiResponse({ status: 404, schema: { example: NO_CACHE } })
  @ApiResponse(
    conflictExample(
      `purge ${ROW.id} of pattern "user:42:*" in cache "sessions" is running; wait for it or cancel it (POST /api/caches/sessions/purges/${ROW.id}/cancel)`,
    ),
  )
  purge(@Param('name') name: string, @Body() b: StartPurgeDto, @Operator() ctx: OperatorContext): Promise<PurgeRow> {
    if ((b.key === undefined) === (b.pattern === undefined)) throw BadInput.field('key', 'give exactly one of key or pattern');
    const match = b.key !== undefined ? { key: b.key } : { pattern: b.pattern! };
    return this.commands.execute(new StartPurgeCommand(ctx, name, match, b.confirmAll === true, b.reason));
  }

  @Get(':name/purges')
  @Roles('admin')
  @TenantScope('installation', SHARED_MACHINERY)
  @ApiOperation({ summary: "The cache's purges, newest first (at most 100): state, keys scanned and removed, who, why (admin)." })
  @ApiParam({ name: 'name', example: 'sessions' })
  @ApiResponse({
    status: 200,
    schema: { example: { purges: [{ ...ROW, state: 'completed', scanned: 5400, removed: 5400, finishedAt: '2026-11-25T14:00:06.000Z' }] } },
  })
  async purges(@Param('name') name: string): Promise<{ purges: PurgeRow[] }> {
    this.known(name);
    return { purges: await this.queries.execute(new PurgesQuery(name)) };
  }

  @Get(':name/purges/:id')
  @Roles('admin')
  @TenantScope('installation', SHARED_MACHINERY)
  @ApiOperation({ summary: 'One purge (admin).' })
  @ApiParam({ name: 'name', example: 'sessions' })
  @ApiResponse({ status: 200, schema: { example: ROW } })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: `no cache purge ${ROW.id}` } } })
  async purgeById(@Param('name') name: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<PurgeRow> {
    this.known(name);
    const [row] = await this.queries.execute(new PurgesQuery(name, id, 1));
    if (!row) throw new NotFound(`no cache purge ${id}`);
    return row;
  }

  @Post(':name/purges/:id/cancel')
  @HttpCode(202)
  @Roles('admin')
  @TenantScope('installation', SHARED_MACHINERY)
  @ApiOperation({ summary: 'Ask a running purge to stop (admin, audited as cache.purge_cancel); it records its end as cancelled with the count so far.' })
  @ApiParam({ name: 'name', example: 'sessions' })
  @ApiResponse({ status: 202, schema: { example: { ...ROW, cancelRequested: { by: 'bob', reason: 'wrong pattern', at: '2026-11-25T14:00:03.000Z' } } } })
  @ApiResponse({ status: 409, schema: { example: { statusCode: 409, error: 'Conflict', message: `purge ${ROW.id} has finished already` } } })
  cancel(
    @Param('name') name: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() b: CancelPurgeDto,
    @Operator() ctx: OperatorContext,
  ): Promise<PurgeRow> {
    return this.commands.execute(new CancelPurgeCommand(ctx, name, id, b.reason));
  }
}
