import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { sendCached } from '../http/cached-body';
import { ApiCachedRead, ApiEtagHeader } from '../http/cached-read.docs';
import { ReadCache } from '../http/read-cache';
import { ApiAsOfHeader } from '../point-in-time/at.dto';
import { Clock, CLOCK } from '../shared/clock';
import type { MigrationStatus } from './migration-status';
import { GetMigrationStatusQuery } from './migration-status.query';

const EXAMPLE = {
  settled: false,
  migrations: [
    { name: 'Flags1764000000014', timestamp: 1764000000014, state: 'applied', appliedAt: '2026-11-25T14:00:01.120Z' },
    { name: 'MigrationRuns1764000000015', timestamp: 1764000000015, state: 'applied', appliedAt: '2026-11-25T14:00:01.180Z' },
  ],
  pending: [],
  unknownApplied: [],
  lastRun: {
    startedAt: '2026-11-25T14:00:00.950Z',
    finishedAt: '2026-11-25T14:00:01.200Z',
    applied: ['Flags1764000000014', 'MigrationRuns1764000000015'],
    error: null,
    instance: 'api-1:4711',
  },
  projections: [
    {
      name: 'flags',
      version: 1,
      storedVersion: 1,
      state: 'live',
      rebuild: { pending: false, running: false, position: null, head: null, progress: null, reason: null },
      settled: true,
    },
    {
      name: 'job_runs',
      version: 3,
      storedVersion: 2,
      state: 'rebuilding',
      rebuild: { pending: false, running: true, position: 48210, head: 120934, progress: 0.399, reason: 'version 2 → 3' },
      settled: false,
    },
  ],
};

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/system/migrations')
export class MigrationsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly cache: ReadCache,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('admin')
  @TenantScope('installation', 'the schema and read models of the whole installation')
  @ApiOperation({
    summary:
      'Every migration (applied-at or pending), the last migration run, every projection (code and stored version, rebuild pending or running and its progress), and `settled`: this deploy has finished migrating and rebuilding (admin).',
  })
  @ApiResponse({ status: 200, headers: { ...ApiAsOfHeader, ...ApiEtagHeader }, schema: { example: EXAMPLE } })
  @ApiCachedRead()
  async status(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // Every read model's position: a rebuild's progress moves with its projection's checkpoint row.
    const body = await this.cache.answer({ endpoint: 'system-migrations', scope: null, reads: '*' }, null, async () => ({
      asOf: this.clock.now(),
      body: await this.queries.execute<GetMigrationStatusQuery, MigrationStatus>(new GetMigrationStatusQuery()),
    }));
    return sendCached(req, reply, body);
  }
}
