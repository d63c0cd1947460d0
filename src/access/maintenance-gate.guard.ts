import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Clock, CLOCK } from '../shared/clock';
import { gateRefuses, MAINTENANCE_EXEMPT, MAINTENANCE_LOOKUP, MaintenanceLookup, maintenanceRefusal, retryAfterSeconds } from './maintenance-gate';
import type { Principal } from './roles';
import { TENANT_SCOPE, TenantScopeDeclaration } from './tenant-scope.decorator';

/**
 * Runs after AuthGuard and TenantScopeGuard (request.principal is set; a scoped token on an
 * `installation` route got its 403 already). A tenant in maintenance gets 503 with the banner and
 * Retry-After on what its mode closes (gateRefuses). The window is compared with the clock on
 * every request, so a scheduled start or end takes effect without any event.
 */
@Injectable()
export class MaintenanceGateGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Absent in apps built without the maintenance capability (test probes): nothing is refused.
    @Optional() @Inject(MAINTENANCE_LOOKUP) private readonly lookup?: MaintenanceLookup,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http' || !this.lookup) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const tenant = req.principal?.tenant;
    if (!tenant) return true;
    const now = this.clock.now();
    const active = this.lookup.activeFor(tenant, now);
    const declared = this.reflector.get<TenantScopeDeclaration | undefined>(TENANT_SCOPE, ctx.getHandler());
    const exempt = this.reflector.getAllAndOverride<boolean>(MAINTENANCE_EXEMPT, [ctx.getHandler(), ctx.getClass()]) ?? false;
    if (!gateRefuses({ principal: req.principal, method: req.method, rule: declared?.rule, exempt }, active)) return true;
    const retryAfter = retryAfterSeconds(active!, now, this.config.maintenance.retryAfterSeconds);
    // `headers` leave as response headers (JsonExceptionFilter).
    throw new HttpException({ ...maintenanceRefusal(active!), headers: { 'retry-after': String(retryAfter) } }, 503);
  }
}
