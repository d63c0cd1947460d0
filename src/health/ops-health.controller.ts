import { Controller, Get, Headers, Inject, NotFoundException, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { bearerToken } from '../auth/bearer-token';
import { Public } from '../access/public.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { TokenLookup } from '../auth/token-lookup';
import { secretsEqual } from '../auth/token-secret';
import { tokenStatus } from '../auth/token-status';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { sendCached } from '../http/cached-body';
import { ApiCachedRead, ApiEtagHeader } from '../http/cached-read.docs';
import { ReadCache } from '../http/read-cache';
import { ApiAsOfHeader, AtQuery } from '../point-in-time/at.dto';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { Clock, CLOCK } from '../shared/clock';
import { HealthViews } from './health-views.service';
import { BAD_AT } from './scheduler-health.controller';

export { opsHealthConfig } from './health-views.service';

const OPS_EXAMPLE = {
  status: 'degraded',
  issues: ['High disabled: 15/127 (12%)'],
  workers: { cron: 'idle', janitor: 'idle', 'job-worker': 'idle', 'poll-scheduler': 'working', backfill: 'working', refreshWorker: 'working' },
  loops: [
    {
      loop: 'poll-scheduler',
      state: 'working',
      instanceId: 'host-a:4121:x1y2z3',
      intervalMs: 5000,
      lastRunAt: '2026-03-02T10:29:58Z',
      stale: false,
      processes: 2,
    },
  ],
  inQuietHours: false,
  queue: { depth: 112, ready: 3, locked: 1 },
  coverage: { total: 127, healthy: 110, deadLettered: 15, paused: 0 },
  backups: { total: 127, covered: 110, disabled: 16 },
  lastBackupWrite: { planningFullId: 'feed::enscr.elevesing1iereannee', changed: true, nbEvents: 2, at: '2026-03-02T10:30:00Z', outcome: 'http_5xx 503' },
  lastSuccessAt: '2026-03-02T10:30:00Z',
  failedHosts: [{ host: 'fac-de-sciences', count: 2, lastFailure: 'http_timeout', kind: 'http_timeout' }],
  recentFailures: [
    {
      planningFullId: 'feed::fac-de-sciences.m1info',
      target: 'feed::fac-de-sciences.m1info',
      failureKind: 'http_timeout',
      kind: 'http_timeout',
      failures: 3,
      disabledUntil: '2026-03-02T11:00:00Z',
    },
  ],
  restoreDrill: { lastAt: '2026-01-15T09:30:00Z', owner: 'alice', result: 'passed' },
  maintenance: [
    {
      tenant: 'acme',
      mode: 'read_only',
      banner: 'Scheduled maintenance: changes are paused until 14:00 UTC.',
      startsAt: '2026-03-02T10:00:00.000Z',
      endsAt: '2026-03-02T14:00:00.000Z',
    },
  ],
  notices: ['Tenant acme in maintenance (read_only) since 2026-03-02T10:00:00.000Z until 2026-03-02T14:00:00.000Z'],
  checkedAt: '2026-03-02T10:30:01Z',
};

/** The read models ops health folds (targets, restore drills, loop pauses). */
const OPS_HEALTH_READS = ['targets', 'restore_drills', 'loop_pauses'];

@ApiTags('health')
@Controller('api/ops')
export class OpsHealthController {
  constructor(
    private readonly views: HealthViews,
    private readonly pit: PointInTime,
    private readonly tokens: TokenLookup,
    private readonly limiter: AuthFailureLimiter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: ReadCache,
  ) {}

  /**
   * A wrong or missing token looks exactly like an unknown route. Either x-ops-token or
   * a valid bearer token (any role) lets the caller in; a tenant-scoped bearer token narrows the
   * body to its tenant. Returns the tenant scope (null = everything). A wrong token counts as a
   * failed authentication of the client address, as on every other route.
   */
  private async authorize(req: FastifyRequest, opsToken: string | undefined, authorization: string | undefined): Promise<string | null> {
    if (authorization === undefined && opsToken === undefined) return this.check(req, undefined, undefined);
    this.limiter.check(req.ip);
    try {
      return await this.check(req, opsToken, authorization);
    } catch (err) {
      if (err instanceof NotFoundException) throw (await this.limiter.recordFailure(req.ip)) ?? err;
      throw err;
    }
  }

  private async check(req: FastifyRequest, opsToken: string | undefined, authorization: string | undefined): Promise<string | null> {
    const notFound = () => new NotFoundException(`Cannot ${req.method} ${req.url}`);
    if (authorization !== undefined) {
      const token = bearerToken(authorization);
      const row = token ? await this.tokens.byToken(token) : null;
      if (!row || tokenStatus(row, this.clock.now()) !== 'active') throw notFound();
      return row.tenant;
    }
    const expected = this.config.polling.opsToken;
    const open = expected === undefined && this.config.core.nodeEnv !== 'production';
    if (open) return null;
    if (expected === undefined || opsToken === undefined || !secretsEqual(opsToken, expected)) throw notFound();
    return null;
  }

  @Public() // its own token (x-ops-token), or a bearer token checked here
  @TenantScope('tenant', "a scoped bearer token counts its tenant's targets only (live and `?at=`); loops and the restore drill are shared")
  // `plannings`: the path PlanningSup's ops API serves this body on, so its clients need only a new host.
  @Get(['health', 'plannings'])
  @ApiSecurity('ops-token')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Operations health (also served as /api/ops/plannings, the same body): status + issues, loop states, quiet hours, queue, coverage, failed hosts, recent failures, latest restore drill. Needs x-ops-token = OPS_TOKEN (open when OPS_TOKEN is unset outside production) or a bearer token; a tenant-scoped token sees only its targets. `?at=` answers as of a past instant (loop fields derived from the log, see docs/api.md, "Polling").',
  })
  @ApiResponse({ status: 200, headers: { ...ApiAsOfHeader, ...ApiEtagHeader }, schema: { example: OPS_EXAMPLE } })
  @ApiCachedRead()
  @ApiResponse(BAD_AT)
  @ApiResponse({
    status: 404,
    description: 'Missing or wrong x-ops-token / bearer token (same answer as an unknown route).',
    schema: { example: { message: 'Cannot GET /api/ops/health', error: 'Not Found', statusCode: 404 } },
  })
  async get(
    @Req() req: FastifyRequest,
    @Query() q: AtQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('x-ops-token') token?: string,
    @Headers('authorization') authorization?: string,
  ) {
    const tenant = await this.authorize(req, token, authorization);
    const at = await this.pit.parseAt(q.at);
    // Loop heartbeats are not in the log: READ_CACHE_MAX_AGE_MS bounds how old they can be here.
    const body = await this.cache.answer({ endpoint: 'ops-health', scope: tenant, reads: OPS_HEALTH_READS }, at, () => this.views.ops(at, tenant));
    return sendCached(req, reply, body);
  }
}
