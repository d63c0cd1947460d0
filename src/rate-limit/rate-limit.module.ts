import { Module } from '@nestjs/common';
import { rateLimitOverridesProjection } from '../../projections/rate-limit-overrides/rate-limit-overrides.projection';
import { AuthModule } from '../auth/auth.module';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { GrantOverrideHandler, RevokeOverrideHandler } from './override.commands';
import { RateLimitController } from './rate-limit.controller';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';

/** RateLimitGuard is registered globally by AppModule, as the first guard. */
@Module({
  imports: [AuthModule],
  controllers: [RateLimitController],
  providers: [RateLimiter, RateLimitGuard, GrantOverrideHandler, RevokeOverrideHandler],
  exports: [RateLimiter, RateLimitGuard],
})
export class RateLimitModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(rateLimitOverridesProjection);
  }
}
