import { ForbiddenException, HttpException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AuthFailureLimiter } from '../../auth/auth-failure-limiter';
import { AuthFailures } from '../../auth/auth-failures';
import type { Principal } from '../../access/roles';
import { secretsEqual } from '../../auth/token-secret';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { Clock, CLOCK } from '../../shared/clock';
import { LOGGER } from '../../shared/logger';
import { csrfProblem, csrfTokenFor, isStateChanging } from './csrf';
import { clearSessionCookie, sessionCookieOf } from './session-cookie';
import { expiryOf } from './session-expiry';
import { SessionLookup, SessionRepository } from './session-repository';
import { SessionService } from './session-service';

const MAX_ENTRIES = 10_000;

/** The console session a request was authenticated with (set beside request.principal). */
export type SessionRequest = FastifyRequest & { consoleSession?: { sessionId: string; csrfToken: string } };

/**
 * The AuthGuard's alternative to a bearer token: the console's session cookie. The principal is
 * the session's token as it is now (its role and tenant); a revoked or expired token, an idle or
 * too old session ends it (SessionEnded) and answers 401. A state-changing request must also pass
 * the CSRF check (Origin and X-CSRF-Token). Lookups are reused for AUTH_CACHE_MS, as token lookups.
 */
@Injectable()
export class SessionAuthenticator {
  private readonly cache = new Map<string, { found: SessionLookup; until: number }>();
  /** This process's last request per session, and when it last wrote it down. */
  private readonly seen = new Map<string, { at: number; written: number }>();

  constructor(
    private readonly repo: SessionRepository,
    private readonly sessions: SessionService,
    private readonly limiter: AuthFailureLimiter,
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  presented(req: FastifyRequest): boolean {
    return sessionCookieOf(req) !== null;
  }

  async authenticate(req: SessionRequest, reply: FastifyReply): Promise<Principal> {
    const digest = this.sessions.digest(sessionCookieOf(req)!);
    const found = await this.lookup(digest);
    if (!found || !secretsEqual(found.row.hash, digest)) {
      clearSessionCookie(req, reply);
      this.failures.record('unknown_session');
      this.log.warn(
        { event: 'auth.failed', reason: 'unknown_session', ip: req.ip, method: req.method, path: req.url.split('?')[0], requestId: req.id },
        'auth failed: unknown_session',
      );
      throw (await this.limiter.recordFailure(req.ip)) ?? this.unauthorized('the console session is not known: sign in again');
    }
    const { row } = found;
    if (row.endedAt) {
      clearSessionCookie(req, reply);
      throw this.unauthorized(`the console session has ended (${row.endReason}): sign in again`);
    }
    const now = this.clock.now();
    const here = this.seen.get(row.sessionId);
    const expiry = expiryOf(found, now, here ? new Date(here.at) : null);
    if (expiry) {
      await this.sessions.end(row, expiry, { actor: 'system', requestId: String(req.id) });
      this.forget(row.sessionId);
      clearSessionCookie(req, reply);
      throw this.unauthorized(`the console session has ended (${expiry.reason}${expiry.detail ? `: ${expiry.detail}` : ''}): sign in again`);
    }
    const csrfToken = csrfTokenFor(this.sessions.csrfKey, row.sessionId);
    if (isStateChanging(req.method)) {
      const problem = csrfProblem(req, csrfToken);
      if (problem) {
        this.log.warn(
          { event: 'auth.csrf_refused', ip: req.ip, method: req.method, path: req.url.split('?')[0], requestId: req.id, sessionId: row.sessionId, problem },
          'csrf check refused a request',
        );
        throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: problem });
      }
    }
    await this.touch(row.sessionId, now.getTime(), row.idleTimeoutMs);
    req.consoleSession = { sessionId: row.sessionId, csrfToken };
    const t = found.token!;
    return { tokenId: t.tokenId, name: t.name, role: t.role, tenant: t.tenant };
  }

  /** Drops what this process remembers of a session (it ended here). */
  forget(sessionId: string): void {
    this.seen.delete(sessionId);
    for (const [k, v] of this.cache) if (v.found.row.sessionId === sessionId) this.cache.delete(k);
  }

  private async lookup(digest: string): Promise<SessionLookup | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(digest);
    if (hit && hit.until > now) return hit.found;
    const found = await this.repo.byHash(digest);
    const ttl = this.config.auth.cacheMs;
    if (found && ttl > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(digest, { found, until: now + ttl });
    } else this.cache.delete(digest);
    return found;
  }

  /** Writes the last request down at most every tenth of the idle timeout (and every minute). */
  private async touch(sessionId: string, at: number, idleMs: number): Promise<void> {
    const prev = this.seen.get(sessionId);
    const every = Math.min(60_000, Math.floor(idleMs / 10));
    if (prev && at - prev.written < every) {
      prev.at = Math.max(prev.at, at);
      return;
    }
    if (this.seen.size >= MAX_ENTRIES) this.seen.clear();
    this.seen.set(sessionId, { at, written: at });
    await this.repo.touch(sessionId, new Date(at));
  }

  private unauthorized(message: string): HttpException {
    return new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message });
  }
}
