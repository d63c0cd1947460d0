import { Controller, Get, Headers, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { Public } from '../access/public.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { APP_VERSION } from '../shared/version';
import { QUEUE_SNAPSHOT, QueueSnapshotProvider } from '../jobs/queue-snapshot';

const started = Date.now();

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    // Jobs hook: with `Bearer $CRON_SECRET` the body gains the queue snapshot.
    @Optional() @Inject(QUEUE_SNAPSHOT) private readonly queue?: QueueSnapshotProvider,
  ) {}

  private async databaseAnswers(): Promise<boolean> {
    try {
      await Promise.race([this.pool.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      return true;
    } catch {
      return false;
    }
  }

  @Public()
  @TenantScope('shared', 'liveness; the queue snapshot only with CRON_SECRET, never for a token')
  @Get()
  // Fastify answers HEAD from this GET route with the same status and no body.
  @ApiOperation({ summary: 'GET or HEAD. Liveness for uptime probes: 200 when the database answers, 503 when not.' })
  @ApiResponse({ status: 200, schema: { example: { status: 'healthy', version: '0.1.0', uptimeSeconds: 42 } } })
  @ApiResponse({
    status: 200,
    description: 'With `Authorization: Bearer $CRON_SECRET`',
    schema: {
      example: {
        status: 'healthy',
        version: '0.1.0',
        uptimeSeconds: 42,
        queue: { pending: 3, retrying: 1, processing: 2, dead_letter: 0, oldest_ready_at: '2025-03-01T10:00:00Z', oldest_ready_age_seconds: 12 },
      },
    },
  })
  async get(@Res({ passthrough: true }) reply: FastifyReply, @Headers('authorization') authorization?: string) {
    const ok = await this.databaseAnswers();
    void reply.status(ok ? 200 : 503);
    const body = {
      status: ok ? 'healthy' : 'unhealthy',
      version: APP_VERSION,
      uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      ...(ok ? {} : { database: 'unreachable' }),
    };
    // Without the secret, a wrong one, or any snapshot failure: the public body only.
    const queue = ok && this.queue ? await this.queue.snapshotFor(authorization).catch(() => null) : null;
    return queue ? { ...body, queue } : body;
  }
}
