import { Inject, Module } from '@nestjs/common';
import { rateLimitOverridesProjection } from '../../projections/rate-limit-overrides/rate-limit-overrides.projection';
import { AuthModule } from '../auth/auth.module';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
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
  constructor(registry: ProjectionRegistry, summaries: EventSummaries, @Inject(EVENT_STORE) store: EventStore) {
    registry.register(rateLimitOverridesProjection);
    // Inline: a grant or revoke answers with its row, read in its own unit.
    store.registerInline(rateLimitOverridesProjection);
    summaries.register('RateLimitOverrideGranted', (e) => {
      const d = e.data as { subject: { tenant?: string; ip?: string }; limit: number; expiresAt: string; grantedBy: string };
      return `rate limit for ${d.subject.tenant ? `tenant ${d.subject.tenant}` : `address ${d.subject.ip}`} lifted to ${d.limit}/window until ${d.expiresAt} by ${d.grantedBy}`;
    });
    summaries.register(
      'RateLimitOverrideRevoked',
      (e) => `rate-limit override ${(e.data as { overrideId: string }).overrideId.slice(0, 8)}… ended early by ${(e.data as { revokedBy: string }).revokedBy}`,
    );
  }
}
