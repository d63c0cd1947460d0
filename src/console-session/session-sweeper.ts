import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { SessionAuthenticator } from './session-authenticator';
import { expiryOf } from './session-expiry';
import { SessionRepository } from './session-repository';
import { SessionService } from './session-service';

/**
 * Records the end of sessions nobody comes back to: every SESSION_SWEEP_MS, an active session
 * that is idle, past its absolute limit, or whose token was revoked or expired gets its
 * SessionEnded (actor system). A request with such a cookie ends it too, at once; this makes the
 * log say so even when the browser never returns. Runs in processes that serve HTTP.
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> | null = null;

  constructor(
    private readonly repo: SessionRepository,
    private readonly sessions: SessionService,
    private readonly authenticator: SessionAuthenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.core.appMode === 'worker') return;
    this.timer = setInterval(() => void (this.inFlight ??= this.sweep().finally(() => (this.inFlight = null))), this.config.console.sessionSweepMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  async sweep(): Promise<number> {
    let ended = 0;
    try {
      const now = this.clock.now();
      for (const s of await this.repo.active()) {
        const why = expiryOf(s, now);
        if (!why) continue;
        if (await this.sessions.end(s.row, why, { actor: 'system' })) ended++;
        this.authenticator.forget(s.row.sessionId);
      }
    } catch (err) {
      this.log.warn({ event: 'session.sweep_failed', err: err instanceof Error ? err.message : String(err) }, 'could not end expired console sessions');
    }
    return ended;
  }
}
