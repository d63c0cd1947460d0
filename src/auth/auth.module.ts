import { Module } from '@nestjs/common';
import { tokensProjection } from '../../projections/tokens/tokens.projection';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import { AuthController } from './auth.controller';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { AuthFailures } from './auth-failures';
import { AuthGuard } from './auth.guard';
import { IssueTokenHandler } from './issue-token.handler';
import { RevokeTokenHandler } from './revoke-token.handler';
import { TenantScopeGuard } from './tenant-scope.guard';
import { TokenBootstrap } from './token-bootstrap';
import { TokenDigester } from './token-digester';
import { TokenHashUpgrade } from './token-hash-upgrade';
import { TokenLookup } from './token-lookup';
import { TokenRepository } from './token-repository';

/** Bearer tokens as events, the global guards (role, tenant scope), the OPSLEDGER_ADMIN_TOKEN bootstrap and /api/auth. */
@Module({
  controllers: [AuthController],
  providers: [
    TokenRepository,
    TokenDigester,
    TokenLookup,
    AuthFailures,
    AuthFailureLimiter,
    IssueTokenHandler,
    RevokeTokenHandler,
    TokenHashUpgrade,
    TokenBootstrap,
    AuthGuard,
    TenantScopeGuard,
  ],
  // AppModule registers AuthGuard before TenantScopeGuard, so the latter sees request.principal.
  exports: [AuthFailures, AuthFailureLimiter, TokenLookup, AuthGuard, TenantScopeGuard],
})
export class AuthModule {
  constructor(registry: ProjectionRegistry, metrics: MetricsService, failures: AuthFailures, summaries: EventSummaries) {
    registry.register(tokensProjection);
    summaries.register('TokenIssued', (e) => {
      const d = e.data as { name: string; role: string; tenant: string | null };
      return `token "${d.name}" issued with role ${d.role}${d.tenant ? ` for tenant ${d.tenant}` : ''}`;
    });
    summaries.register('TokenHashRekeyed', (e) => `token ${(e.data as { tokenId: string }).tokenId.slice(0, 12)}… digest re-keyed with TOKEN_HASH_KEY`);
    summaries.register(
      'TokenRevoked',
      (e) => `token ${(e.data as { tokenId: string }).tokenId.slice(0, 12)}… revoked: ${(e.data as { reason: string }).reason}`,
    );
    metrics.counterFrom('opsledger_auth_failures_total', 'Rejected requests by reason (this process)', ['reason'], () =>
      Object.entries(failures.snapshot()).map(([reason, n]) => [{ reason }, n] as const),
    );
  }
}
