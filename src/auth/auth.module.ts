import { Module } from '@nestjs/common';
import { tokensProjection } from '../../projections/tokens/tokens.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { AuthController } from './auth.controller';
import { AuthFailures } from './auth-failures';
import { AuthGuard } from './auth.guard';
import { IssueTokenHandler } from './issue-token.handler';
import { RevokeTokenHandler } from './revoke-token.handler';
import { TokenBootstrap } from './token-bootstrap';
import { TokenLookup } from './token-lookup';
import { TokenRepository } from './token-repository';

/** Bearer tokens as events, the global guard, the OPSLEDGER_ADMIN_TOKEN bootstrap and /api/auth. */
@Module({
  controllers: [AuthController],
  providers: [TokenRepository, TokenLookup, AuthFailures, IssueTokenHandler, RevokeTokenHandler, TokenBootstrap, AuthGuard],
  // AppModule registers AuthGuard as the first APP_GUARD, so the guards after it see request.principal.
  exports: [AuthFailures, TokenLookup, AuthGuard],
})
export class AuthModule {
  constructor(registry: ProjectionRegistry) {
    registry.register(tokensProjection);
  }
}
