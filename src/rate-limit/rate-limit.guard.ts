import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../auth/bearer-token';
import { TokenLookup } from '../auth/token-lookup';
import { RateLimiter } from './rate-limiter';

/**
 * The first global guard, before authentication, so every request counts — failed logins too.
 * A known token is limited as itself (with its tenant's override); anything else — no token, or
 * one nobody issued (guessing) — by the client address. The public health check is exempt:
 * uptime probes poll it.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly tokens: TokenLookup,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    if (req.url === '/api/health' || req.url.startsWith('/api/health?') || !this.limiter.enabled) return true;
    const bearer = bearerToken(req.headers.authorization);
    const token = bearer ? await this.tokens.byToken(bearer) : null;
    const d = await this.limiter.check(token ? `token:${token.tokenId}` : `ip:${req.ip}`, token?.tenant ?? null, req.ip);
    void reply.header('x-ratelimit-limit', d.limit).header('x-ratelimit-remaining', d.remaining);
    if (d.allowed) return true;
    void reply.header('retry-after', d.retryAfterSeconds);
    throw new HttpException(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `rate limit of ${d.limit} requests per window exceeded for this ${token ? 'token' : 'client address'}; retry after ${d.retryAfterSeconds} s (an admin can grant a temporary override: POST /api/rate-limits/overrides)`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
