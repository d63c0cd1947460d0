import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access/roles.decorator';
import { TenantScope } from '../access/tenant-scope.decorator';
import { AcceptsStaticSecret } from '../access/static-secret.decorator';
import { MetricsService } from './metrics.service';

@ApiTags('observability')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Roles('viewer')
  @AcceptsStaticSecret((c) => c.auth.metricsToken)
  @TenantScope('installation', 'series of every tenant (job and target labels): for Prometheus, with METRICS_TOKEN or an unscoped token')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text format). Bearer token of any role without a tenant, or METRICS_TOKEN.' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    schema: {
      type: 'string',
      example:
        '# HELP opsledger_queue_depth Jobs in the queue by state\n# TYPE opsledger_queue_depth gauge\nopsledger_queue_depth{state="pending",service="opsledger"} 3\n',
    },
  })
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
