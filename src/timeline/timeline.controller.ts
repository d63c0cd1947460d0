import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../access/roles.decorator';
import { CallerTenant, TenantScope } from '../access/tenant-scope.decorator';
import { Clock, CLOCK } from '../shared/clock';
import { TimelineQueryDto } from './timeline.dto';
import { TimelineFilter, TimelineReader } from './timeline.reader';

/** The window when `from` is not given: the last hour before `to`. */
const DEFAULT_WINDOW_MS = 3_600_000;

@ApiTags('timeline')
@ApiBearerAuth()
@Controller('api/timeline')
export class TimelineController {
  constructor(
    private readonly reader: TimelineReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('viewer')
  @TenantScope('tenant', "the tenant's events only (its targets, jobs, runs, tokens and its tokens' actions), whatever `tenant` it asks for")
  @ApiOperation({
    summary:
      'Events of a window across streams in commit order, each with a one-line summary, its actor and what caused it. Without `to` the window ends now; without `from` it starts one hour before `to`.',
  })
  @ApiProduces('application/json', 'application/x-ndjson')
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        items: [
          {
            position: '1043',
            eventId: '2b7e…',
            at: '2026-11-25T13:02:11.000Z',
            streamId: 'target-instance::eu-1',
            type: 'TargetRedriven',
            summary: 'TargetRedriven on target-instance::eu-1',
            actor: 'alice',
            tenant: null,
            correlationId: '9f0c…',
            causedBy: [
              {
                eventId: '6f1c…',
                type: 'OperatorActionRecorded',
                at: '2026-11-25T13:02:11.000Z',
                actor: 'alice',
                summary: 'alice (operator) target.redrive on target:instance::eu-1: "upstream fixed"',
              },
            ],
            data: {},
          },
        ],
        nextCursor: null,
      },
    },
  })
  async get(@Query() q: TimelineQueryDto, @Res({ passthrough: true }) reply: FastifyReply, @CallerTenant() scope: string | null) {
    const to = q.to ?? this.clock.now().toISOString();
    const filter: TimelineFilter = {
      from: q.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString(),
      to,
      target: q.target,
      job: q.job,
      // A tenant-scoped token sees its tenant only, whatever it asks for.
      tenant: scope ?? q.tenant ?? null,
      types: q.types?.split(','),
    };
    if (q.format !== 'ndjson') return this.reader.page(filter, q.limit ?? 500, q.cursor ?? null);
    await this.reader.page(filter, 1, null); // validate before the 200 goes out
    reply.type('application/x-ndjson');
    const reader = this.reader;
    async function* lines() {
      for await (const e of reader.all(filter)) yield JSON.stringify(e) + '\n';
    }
    const { Readable } = await import('node:stream');
    return reply.send(Readable.from(lines()));
  }
}
