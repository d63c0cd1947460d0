import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { TargetReadModel } from '../polling/target-read-model';
import { Clock, CLOCK } from '../shared/clock';
import { SCHEDULER_HEALTH_EXAMPLE } from './scheduler-health.example';
import { SchedulerHealthConfig, schedulerHealthView } from './scheduler-health.view';

export const schedulerHealthConfig = (config: AppConfig): SchedulerHealthConfig => ({
  adaptiveEnabled: config.polling.adaptiveEnabled,
  maxIntervalMs: config.polling.maxIntervalSeconds * 1000,
  dueWindowSeconds: config.polling.dueWindowSeconds,
});

@ApiTags('health')
@ApiBearerAuth()
@Controller('api/monitoring/scheduler/health')
export class SchedulerHealthController {
  constructor(
    private readonly targets: TargetReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Scheduler health snapshot (seed 001): queue, dead-letter, legacy breakers/staleness, and per-instance poll status, breaker and dead-letter. Read from the targets read model.' })
  @ApiResponse({ status: 200, schema: { example: SCHEDULER_HEALTH_EXAMPLE } })
  async get() {
    return schedulerHealthView(await this.targets.all(), this.clock.now(), schedulerHealthConfig(this.config));
  }
}
