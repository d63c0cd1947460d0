import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { Clock, CLOCK } from '../../shared/clock';
import { LOGGER } from '../../shared/logger';
import { TimedLoop } from '../../shared/timed-loop';
import { SessionAuthenticator } from './session-authenticator';
import { expiryOf } from './session-expiry';
import { SessionRepository } from './session-repository';
import { SessionService } from './session-service';

/**
 * Records the end of sessions nobody comes back to: every SESSION_SWEEP_MS, an active session
 * that is idle, past its absolute limit, or whose token was revoked or expired gets its
 * SessionEnded (actor system). A request with such a cookie ends it too, at once; this makes the
 * log say so even when the browser never returns. Runs in every process that serves HTTP (each
 * forgets the ended sessions it cached); two ending one session at once is a conflict, not an error.
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private loop: TimedLoop | null = null;

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
    this.loop = new TimedLoop({
      everyMs: this.config.console.sessionSweepMs,
      unref: true,
      step: async () => void (await this.sweep()),
      onError: (err) =>
        this.log.warn({ event: 'session.sweep_failed', err: err instanceof Error ? err.message : String(err) }, 'could not end expired console sessions'),
    });
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** One sweep: how many sessions it ended. */
  async sweep(): Promise<number> {
    let ended = 0;
    const now = this.clock.now();
    for (const s of await this.repo.active()) {
      const why = expiryOf(s, now);
      if (!why) continue;
      if (await this.sessions.end(s.row, why, { actor: 'system' })) ended++;
      this.authenticator.forget(s.row.sessionId);
    }
    return ended;
  }
}
