import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Param, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Operator, OperatorContext } from '../../audit/operator-context';
import { AuthFailureLimiter } from '../../auth/auth-failure-limiter';
import { AuthFailures } from '../../auth/auth-failures';
import { Public } from '../../access/public.decorator';
import { CurrentPrincipal, Roles } from '../../access/roles.decorator';
import type { Principal } from '../../access/roles';
import { CallerTenant, TenantScope } from '../../access/tenant-scope.decorator';
import { TokenLookup } from '../../auth/token-lookup';
import { tokenStatus } from '../../auth/token-status';
import { Clock, CLOCK } from '../../shared/clock';
import { BadInput, NotFound } from '../../shared/errors';
import { Inject } from '@nestjs/common';
import { csrfProblem, csrfTokenFor } from './csrf';
import { SessionAuthenticator, SessionRequest } from './session-authenticator';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import { SessionRepository } from './session-repository';
import { SessionService } from './session-service';
import { SessionView, sessionView } from './session-view';
import { ListSessionsDto, RevokeSessionDto, StartSessionDto } from './session.dto';
import { SESSION_ID_PATTERN } from './session.events';

const EXAMPLE: SessionView & { csrfToken: string } = {
  sessionId: '5b0f3c1e-2a55-4b8e-9d0e-0b1f7a3c2d11',
  name: 'ann',
  role: 'operator',
  tenant: null,
  status: 'active',
  startedAt: '2026-11-25T13:40:00.000Z',
  lastSeenAt: '2026-11-25T13:52:10.000Z',
  idleExpiresAt: '2026-11-25T14:22:10.000Z',
  absoluteExpiresAt: '2026-11-26T01:40:00.000Z',
  endedAt: null,
  endReason: null,
  endDetail: null,
  clientIp: '127.0.0.1',
  csrfToken: 'pOq0Y3b2p9Rr2cQ0n7vJxq5qkVt2m1WlQmYtq3e8s0U',
};
const { csrfToken: _csrf, ...LIST_EXAMPLE } = EXAMPLE;

@ApiTags('console session')
@Controller('api')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly repo: SessionRepository,
    private readonly authenticator: SessionAuthenticator,
    private readonly tokens: TokenLookup,
    private readonly limiter: AuthFailureLimiter,
    private readonly failures: AuthFailures,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('session')
  @Public()
  @HttpCode(201)
  @TenantScope('shared', "signs in as the pasted token: the session has that token's role and tenant")
  @ApiOperation({
    summary:
      'Console sign-in: exchanges a bearer token for a session cookie (HttpOnly, SameSite=Strict, Secure over https) and returns the CSRF token every state-changing request of the session must send as X-CSRF-Token. Recorded as SessionStarted.',
  })
  @ApiBody({ type: StartSessionDto })
  @ApiResponse({ status: 201, schema: { example: EXAMPLE } })
  @ApiResponse({ status: 401, schema: { example: { statusCode: 401, error: 'Unauthorized', message: 'the token is not known' } } })
  async start(@Body() body: StartSessionDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    this.limiter.check(req.ip);
    // A cross-site page must not sign a browser in (login CSRF): SameSite does not cover this request.
    const crossSite = csrfProblem(req, null);
    if (crossSite) throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: crossSite });
    const row = await this.tokens.byToken(body.token.trim());
    const now = this.clock.now().getTime();
    const status = row ? tokenStatus(row, now) : null;
    const problem = !status ? 'unknown_token' : status === 'active' ? null : status === 'revoked' ? 'revoked_token' : 'expired_token';
    if (problem) {
      this.failures.record(problem);
      const limited = await this.limiter.recordFailure(req.ip);
      if (limited) throw limited;
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: { unknown_token: 'the token is not known', revoked_token: 'the token has been revoked', expired_token: 'the token has expired' }[problem],
      });
    }
    const { secret, row: session } = await this.sessions.start(row!, { clientIp: req.ip, requestId: String(req.id) });
    setSessionCookie(req, reply, secret, Date.parse(session.absoluteExpiresAt) - now);
    return { ...sessionView(session, null), csrfToken: csrfTokenFor(this.sessions.csrfKey, session.sessionId) };
  }

  @Get('session')
  @Roles('viewer')
  @ApiCookieAuth()
  @TenantScope('shared', 'the calling session only')
  @ApiOperation({ summary: 'The calling console session (cookie) with its CSRF token; 404 for a bearer-token request.' })
  @ApiResponse({ status: 200, schema: { example: EXAMPLE } })
  async current(@Req() req: SessionRequest) {
    const s = req.consoleSession;
    if (!s) throw new NotFound('no console session: this request authenticated with a bearer token');
    const found = await this.repo.byId(s.sessionId);
    if (!found) throw new NotFound('no console session');
    return { ...sessionView(found.row, found.lastSeenAt), csrfToken: s.csrfToken };
  }

  @Delete('session')
  @Roles('viewer')
  @ApiCookieAuth()
  @TenantScope('shared', 'ends the calling session only')
  @ApiOperation({ summary: 'Sign out: ends the calling console session (SessionEnded, reason sign-out) and clears its cookie. Needs X-CSRF-Token.' })
  @ApiResponse({ status: 200, schema: { example: { sessionId: EXAMPLE.sessionId, status: 'ended', endReason: 'sign-out' } } })
  async signOut(@Req() req: SessionRequest, @Res({ passthrough: true }) reply: FastifyReply, @CurrentPrincipal() p: Principal) {
    const s = req.consoleSession;
    if (!s) throw new NotFound('no console session: this request authenticated with a bearer token');
    const found = await this.repo.byId(s.sessionId);
    if (found) await this.sessions.end(found.row, { reason: 'sign-out', detail: null }, { actor: p.name, requestId: String(req.id) });
    this.authenticator.forget(s.sessionId);
    clearSessionCookie(req, reply);
    return { sessionId: s.sessionId, status: 'ended', endReason: 'sign-out' };
  }

  @Get('sessions')
  @Roles('admin')
  @TenantScope('tenant', "the tenant's sessions only")
  @ApiOperation({ summary: 'Console sessions, newest first: the active ones, or with ?all=true ended ones too (admin). Never the cookie or its digest.' })
  @ApiQuery({ name: 'all', required: false })
  @ApiResponse({ status: 200, schema: { example: { sessions: [LIST_EXAMPLE] } } })
  async list(@Query() q: ListSessionsDto, @CallerTenant() tenant: string | null) {
    if (q.all !== undefined && q.all !== 'true' && q.all !== 'false') throw BadInput.field('all', 'must be true or false');
    return { sessions: await this.sessions.list(tenant, q.all === 'true') };
  }

  @Delete('sessions/:id')
  @Roles('admin')
  @TenantScope('tenant', "404 for another tenant's session")
  @ApiOperation({
    summary:
      "End someone's console session (admin): SessionEnded with reason revoked, audited as session.revoke. Its cookie stops working at once in this process, within AUTH_CACHE_MS in others.",
  })
  @ApiParam({ name: 'id', description: 'sessionId from GET /api/sessions', example: EXAMPLE.sessionId })
  @ApiQuery({ name: 'reason', required: false, description: 'Why; alternatively in the JSON body.' })
  @ApiBody({ type: RevokeSessionDto, required: false })
  @ApiResponse({
    status: 200,
    schema: {
      example: { ...LIST_EXAMPLE, status: 'ended', idleExpiresAt: null, endedAt: '2026-11-25T14:00:00.000Z', endReason: 'revoked', endDetail: 'laptop lost' },
    },
  })
  @ApiResponse({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message: `no session with id ${EXAMPLE.sessionId}` } } })
  @ApiResponse({
    status: 409,
    schema: { example: { statusCode: 409, error: 'Conflict', message: `session ${EXAMPLE.sessionId} ("ann") has ended already (sign-out)` } },
  })
  async revoke(@Param('id') id: string, @Body() body: RevokeSessionDto, @Query() query: RevokeSessionDto, @Operator() op: OperatorContext) {
    if (!SESSION_ID_PATTERN.test(id)) throw BadInput.field('id', 'must be a sessionId from GET /api/sessions');
    const reason = body?.reason ?? query.reason;
    if (!reason?.trim()) throw BadInput.field('reason', 'is required (JSON body {"reason": "..."} or ?reason=)');
    const view = await this.sessions.revoke(op, id, reason);
    this.authenticator.forget(id);
    return view;
  }
}
