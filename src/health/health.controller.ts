import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { Public } from '../auth/public.decorator';
import { APP_VERSION } from '../shared/version';

const started = Date.now();

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  private async databaseAnswers(): Promise<boolean> {
    try {
      await Promise.race([this.pool.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      return true;
    } catch {
      return false;
    }
  }

  @Public()
  @Get()
  // Fastify answers HEAD from this GET route with the same status and no body.
  @ApiOperation({ summary: 'GET or HEAD. Liveness for uptime probes: 200 when the database answers, 503 when not.' })
  @ApiResponse({ status: 200, schema: { example: { status: 'healthy', version: '0.1.0', uptimeSeconds: 42 } } })
  async get(@Res({ passthrough: true }) reply: FastifyReply) {
    const ok = await this.databaseAnswers();
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'healthy' : 'unhealthy', version: APP_VERSION, uptimeSeconds: Math.floor((Date.now() - started) / 1000), ...(ok ? {} : { database: 'unreachable' }) };
  }
}
