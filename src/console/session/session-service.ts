import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SessionRow } from '../../../projections/sessions/session-row';
import type { TokenRow } from '../../../projections/tokens/token-row';
import { AuditRecorder } from '../../audit/audit-recorder';
import { OperatorContext } from '../../audit/operator-context';
import { tokenDigest } from '../../auth/token-secret';
import { inScope } from '../../access/tenant-scope';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { ExpectedVersionConflict } from '../../event-store/expected-version-conflict.error';
import { SERVER_KEYS, ServerKeys } from '../../secrets/server-keys';
import { Clock, CLOCK } from '../../shared/clock';
import { eventsOrThrow, isRejection, RejectedError } from '../../shared/decider';
import { LOGGER } from '../../shared/logger';
import type { Expiry } from './session-expiry';
import { SessionRepository } from './session-repository';
import { sessionDecider } from './session.decider';
import { SessionEndReason } from './session.events';
import { SessionView, sessionView } from './session-view';

/** The cookie's secret: 32 random bytes, base64url. Only its keyed digest is stored. */
const newSessionSecret = () => `ols_${randomBytes(32).toString('base64url')}`;

/**
 * Console sessions as events: sign-in (SessionStarted), sign-out and expiry (SessionEnded, not
 * operator actions: the session's own end), and an admin's revoke (an audited operator action).
 */
@Injectable()
export class SessionService {
  private readonly key: Buffer;

  constructor(
    private readonly repo: SessionRepository,
    private readonly audit: AuditRecorder,
    @Inject(SERVER_KEYS) keys: Pick<ServerKeys, 'tokenHash'>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.key = keys.tokenHash;
  }

  digest(secret: string): string {
    return tokenDigest(this.key, secret);
  }

  get csrfKey(): Buffer {
    return this.key;
  }

  /** Starts a session for an accepted token; returns the cookie secret (never stored) and the row. */
  async start(token: TokenRow, ctx: { clientIp: string; requestId: string }): Promise<{ secret: string; row: SessionRow }> {
    const now = this.clock.now();
    const secret = newSessionSecret();
    const sessionId = randomUUID();
    const absoluteMs = this.config.console.sessionAbsoluteMs;
    const tokenEnd = token.expiresAt ? Date.parse(token.expiresAt) : Infinity;
    const data = {
      sessionId,
      tokenId: token.tokenId,
      name: token.name,
      role: token.role,
      tenant: token.tenant,
      hash: this.digest(secret),
      startedAt: now.toISOString(),
      idleTimeoutMs: this.config.console.sessionIdleMs,
      // A session never outlives its token.
      absoluteExpiresAt: new Date(Math.min(now.getTime() + absoluteMs, tokenEnd)).toISOString(),
      clientIp: ctx.clientIp,
    };
    const events = eventsOrThrow(sessionDecider.decide({ kind: 'StartSession', data }, sessionDecider.initialState));
    await this.repo.append(sessionId, events, 'no_stream', {
      actor: token.name,
      correlationId: ctx.requestId,
      ...(token.tenant ? { tenant: token.tenant } : {}),
    });
    // Never the secret or its digest: the id is enough to follow a session in the logs.
    this.log.info(
      { event: 'session.started', sessionId, tokenId: token.tokenId, actor: token.name, tenant: token.tenant, ip: ctx.clientIp, requestId: ctx.requestId },
      `console session started for ${token.name}`,
    );
    return { secret, row: { ...data, endedAt: null, endReason: null, endDetail: null } };
  }

  /**
   * Ends a session for its own reasons (sign-out, idle, absolute, its token revoked). Another
   * process ending it at the same moment is not an error: it ended.
   */
  async end(
    row: SessionRow,
    why: Expiry | { reason: Extract<SessionEndReason, 'sign-out'>; detail: null },
    ctx: { actor: string; requestId?: string },
  ): Promise<boolean> {
    try {
      const { state, revision } = await this.repo.load(row.sessionId);
      const events = sessionDecider.decide({ kind: 'EndSession', reason: why.reason, detail: why.detail, at: this.clock.now(), enderTenant: null }, state);
      if (isRejection(events)) return false;
      await this.repo.append(row.sessionId, events, revision, {
        actor: ctx.actor,
        ...(ctx.requestId ? { correlationId: ctx.requestId } : {}),
        ...(row.tenant ? { tenant: row.tenant } : {}),
      });
      this.log.info(
        { event: 'session.ended', sessionId: row.sessionId, reason: why.reason, detail: why.detail, actor: ctx.actor, tokenName: row.name },
        `console session of ${row.name} ended (${why.reason})`,
      );
      return true;
    } catch (err) {
      if (err instanceof ExpectedVersionConflict) return false;
      throw err;
    }
  }

  /** An admin ends someone's session: audited as session.revoke, in one unit with its SessionEnded. */
  async revoke(op: OperatorContext, sessionId: string, reason: string): Promise<SessionView> {
    return this.audit.act(
      op,
      { action: 'session.revoke', target: `session:${sessionId}`, reason },
      {
        apply: async (unit) => {
          const { state, revision } = await this.repo.load(sessionId, unit.uow);
          const events = sessionDecider.decide({ kind: 'EndSession', reason: 'revoked', detail: reason, at: this.clock.now(), enderTenant: op.tenant }, state);
          if (isRejection(events)) throw new RejectedError(events.code === 'not_found' ? { ...events, reason: `no session with id ${sessionId}` } : events);
          const name = state.status === 'none' ? sessionId : state.name;
          await unit.record('applied', { sessionId }, `session:${name}`);
          await this.repo.appendIn(unit.uow, sessionId, events, revision, {
            ...unit.metadata,
            ...(state.status !== 'none' && state.tenant ? { tenant: state.tenant } : {}),
          });
          const after = await this.repo.rowIn(unit.uow, sessionId);
          return sessionView(after!.row, after!.lastSeenAt);
        },
      },
      { conflictRetries: 2 },
    );
  }

  async list(scope: string | null, all: boolean): Promise<SessionView[]> {
    return (await this.repo.list(all, 500)).filter((s) => inScope(scope, s.row.tenant)).map((s) => sessionView(s.row, s.lastSeenAt));
  }
}
