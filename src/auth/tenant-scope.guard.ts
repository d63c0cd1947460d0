import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { LOGGER } from '../shared/logger';
import { AuthFailures } from './auth-failures';
import type { Principal } from '../access/roles';
import { installationOnlyMessage, TENANT_SCOPE, TenantScopeDeclaration } from '../access/tenant-scope.decorator';

/**
 * Runs after AuthGuard (which sets request.principal). A tenant-scoped token may not call an
 * `installation` route (403 saying why). A route that declares no rule is treated the same way:
 * a forgotten declaration fails closed (and the security tests name the route).
 */
@Injectable()
export class TenantScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly failures: AuthFailures,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const p = req.principal;
    if (!p?.tenant) return true;
    // The method only: each route says it, a controller-wide default could hide a new route.
    const declared = this.reflector.get<TenantScopeDeclaration | undefined>(TENANT_SCOPE, ctx.getHandler());
    if (declared && declared.rule !== 'installation') return true;
    this.failures.record('forbidden');
    this.log.warn(
      {
        event: 'auth.failed',
        reason: 'forbidden',
        ip: req.ip,
        method: req.method,
        path: req.url.split('?')[0],
        requestId: req.id,
        tokenId: p.tokenId,
        tokenName: p.name,
        tenant: p.tenant,
        tenantScope: declared?.rule ?? 'undeclared',
      },
      'auth failed: forbidden',
    );
    throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: installationOnlyMessage(p), tenant: p.tenant });
  }
}
