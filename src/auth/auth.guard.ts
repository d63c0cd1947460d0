import { CanActivate, ExecutionContext, ForbiddenException, HttpException, Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { TokenRow } from '../../projections/tokens/token-row';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { AuthFailureReason, AuthFailures } from './auth-failures';
import { bearerToken } from './bearer-token';
import { IS_PUBLIC } from '../access/public.decorator';
import { STATIC_SECRET, StaticSecret } from '../access/static-secret.decorator';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MIN_ROLE } from '../access/roles.decorator';
import { Principal, Role, roleAtLeast } from '../access/roles';
import { TokenLookup } from './token-lookup';
import { secretsEqual } from './token-secret';
import { tokenStatus } from './token-status';
import { COOKIE_AUTHENTICATOR, CookieAuthenticator } from './cookie-authenticator';

type Request = FastifyRequest & { principal?: Principal };

const MESSAGES: Record<Exclude<AuthFailureReason, 'forbidden'>, string> = {
  missing_token: 'authentication required: send "Authorization: Bearer <token>"',
  malformed_header: 'the Authorization header must be "Bearer <token>"',
  unknown_token: 'the bearer token is not known',
  revoked_token: 'the bearer token has been revoked',
  expired_token: 'the bearer token has expired',
  unknown_session: 'the console session is not known: sign in again',
};

/**
 * Every route needs a valid bearer token unless it is @Public(); its role must reach the route's
 * @Roles (admin when the route names none). Sets request.principal. Rejections are logged as
 * `auth.failed` with the reason, client address and path: never the token or its digest. A client
 * address with too many failed authentications gets 429 until its window ends (AuthFailureLimiter).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly lookup: TokenLookup,
    private readonly failures: AuthFailures,
    private readonly limiter: AuthFailureLimiter,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // The console's session cookie, when that module is loaded (absent in the CLIs' contexts).
    @Optional() @Inject(COOKIE_AUTHENTICATOR) private readonly sessions?: CookieAuthenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    this.limiter.check(req.ip);

    const header = req.headers.authorization;
    // A bearer token wins; without one, the console's session cookie may stand in for it.
    if (!header && this.sessions?.presented(req)) {
      req.principal = await this.sessions.authenticate(req, reply);
      return this.roleAllows(req, targets);
    }
    if (!header) throw await this.unauthorized(req, reply, 'missing_token');
    const token = bearerToken(header);
    if (!token) throw await this.unauthorized(req, reply, 'malformed_header');
    const secret = this.reflector.getAllAndOverride<StaticSecret | undefined>(STATIC_SECRET, targets);
    const expected = secret?.(this.config);
    if (expected && secretsEqual(token, expected)) {
      req.principal = { tokenId: 'static-secret', name: 'static-secret', role: 'viewer', tenant: null };
      return true;
    }
    const row = await this.lookup.byToken(token);
    if (!row) throw await this.unauthorized(req, reply, 'unknown_token');
    const status = tokenStatus(row, this.clock.now());
    if (status !== 'active') throw await this.unauthorized(req, reply, status === 'revoked' ? 'revoked_token' : 'expired_token', row);

    req.principal = { tokenId: row.tokenId, name: row.name, role: row.role, tenant: row.tenant };
    return this.roleAllows(req, targets);
  }

  private roleAllows(req: Request, targets: Parameters<Reflector['getAllAndOverride']>[1]): boolean {
    const p = req.principal!;
    const need = this.reflector.getAllAndOverride<Role | undefined>(MIN_ROLE, targets) ?? 'admin';
    if (!roleAtLeast(p.role, need)) {
      this.logFailure(req, 'forbidden', p, { requiredRole: need });
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: `this needs the ${need} role or higher; token "${p.name}" has ${p.role}`,
        requiredRole: need,
      });
    }
    return true;
  }

  private async unauthorized(req: Request, reply: FastifyReply, reason: Exclude<AuthFailureReason, 'forbidden'>, row?: TokenRow): Promise<HttpException> {
    this.logFailure(req, reason, row);
    // A presented token that does not work is a guess (or a stale secret); no token at all is not.
    if (reason !== 'missing_token') {
      const limited = await this.limiter.recordFailure(req.ip);
      if (limited) return limited;
    }
    // RFC 6750: say which scheme to use, and that a presented token was bad.
    void reply.header('WWW-Authenticate', reason === 'missing_token' ? 'Bearer realm="opsledger"' : 'Bearer realm="opsledger", error="invalid_token"');
    return new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: MESSAGES[reason] });
  }

  private logFailure(req: Request, reason: AuthFailureReason, row?: Pick<TokenRow, 'tokenId' | 'name'>, extra: Record<string, unknown> = {}): void {
    this.failures.record(reason);
    this.log.warn(
      {
        event: 'auth.failed',
        reason,
        ip: req.ip,
        method: req.method,
        path: req.url.split('?')[0],
        requestId: req.id,
        ...(row ? { tokenId: row.tokenId, tokenName: row.name } : {}),
        ...extra,
      },
      `auth failed: ${reason}`,
    );
  }
}
