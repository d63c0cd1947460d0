import { Global, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { SharedCounters } from './shared-counters';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, SharedCounters], exports: [MetricsService, SharedCounters] })
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Counts every HTTP response by route template (not raw URL, which would explode label sets). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
      const route = req.routeOptions?.url ?? 'unmatched';
      this.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
      this.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });
  }
}
