import { Controller, Get, Headers, Inject, NotFoundException, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/public.decorator';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { TargetReadModel } from '../polling/target-read-model';
import { Clock, CLOCK } from '../shared/clock';
import { LoopStateService } from './loop-state.service';
import { OpsHealthConfig, opsHealthView } from './ops-health.view';

export const opsHealthConfig = (config: AppConfig): OpsHealthConfig => ({
  staleFactor: config.polling.opsStaleFactor,
  disabledThreshold: config.polling.opsDisabledThreshold,
  stuckAfterMs: config.polling.opsStuckAfterMs,
  stuckMinReady: config.polling.opsStuckMinReady,
  quietHours: config.polling.quietHours,
  quietHoursTz: config.polling.quietHoursTz,
});

/** Equal-length digests, so the comparison takes the same time whatever the token. */
const digest = (s: string) => createHash('sha256').update(s).digest();

const OPS_EXAMPLE = {
  status: 'degraded',
  issues: ['High disabled: 15/127 (12%)'],
  workers: { 'poll-scheduler': 'working', 'job-worker': 'idle' },
  loops: [{ loop: 'poll-scheduler', state: 'working', instanceId: 'host-a:4121:x1y2z3', intervalMs: 5000, lastRunAt: '2026-03-02T10:29:58Z', stale: false, processes: 2 }],
  inQuietHours: false,
  queue: { depth: 112, ready: 3, locked: 1 },
  coverage: { total: 127, healthy: 110, deadLettered: 15, paused: 0 },
  lastSuccessAt: '2026-03-02T10:30:00Z',
  failedHosts: [{ host: 'fac-de-sciences', count: 2, lastFailure: 'http_timeout' }],
  recentFailures: [{ target: 'feed::fac-de-sciences.m1info', failureKind: 'http_timeout', failures: 3, disabledUntil: '2026-03-02T11:00:00Z' }],
  checkedAt: '2026-03-02T10:30:01Z',
};

@ApiTags('health')
@Controller('api/ops/health')
export class OpsHealthController {
  constructor(
    private readonly targets: TargetReadModel,
    private readonly loops: LoopStateService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seed 000: a wrong or missing token looks exactly like an unknown route. */
  private authorize(req: FastifyRequest, token: string | undefined): void {
    const expected = this.config.polling.opsToken;
    const open = expected === undefined && this.config.core.nodeEnv !== 'production';
    if (open) return;
    if (expected === undefined || token === undefined || !timingSafeEqual(digest(token), digest(expected))) {
      throw new NotFoundException(`Cannot ${req.method} ${req.url}`);
    }
  }

  @Public() // its own token (x-ops-token), not a bearer token
  @Get()
  @ApiSecurity('ops-token')
  @ApiOperation({ summary: 'Operations health (seed 000): status + issues, loop states, quiet hours, queue, coverage, failed hosts, recent failures. Needs x-ops-token = OPS_TOKEN (open when OPS_TOKEN is unset outside production).' })
  @ApiResponse({ status: 200, schema: { example: OPS_EXAMPLE } })
  @ApiResponse({ status: 404, description: 'Missing or wrong x-ops-token (same answer as an unknown route).', schema: { example: { message: 'Cannot GET /api/ops/health', error: 'Not Found', statusCode: 404 } } })
  async get(@Req() req: FastifyRequest, @Headers('x-ops-token') token?: string) {
    this.authorize(req, token);
    const [targets, loops] = await Promise.all([this.targets.all(), this.loops.list()]);
    return opsHealthView(targets, loops, this.clock.now(), opsHealthConfig(this.config));
  }
}
