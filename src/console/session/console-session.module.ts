import { Global, Module } from '@nestjs/common';
import { sessionsProjection } from '../../../projections/sessions/sessions.projection';
import { AuthModule } from '../../auth/auth.module';
import { COOKIE_AUTHENTICATOR } from '../../auth/cookie-authenticator';
import { ProjectionRegistry } from '../../projection-runner/projection-registry';
import { EventSummaries } from '../../timeline/event-summaries';
import { SessionAuthenticator } from './session-authenticator';
import { SessionController } from './session.controller';
import { SessionEndedData, SessionStartedData } from './session.events';
import { SessionRepository } from './session-repository';
import { SessionService } from './session-service';
import { SessionSweeper } from './session-sweeper';

/**
 * The console's sign-in: sessions as events, the cookie the AuthGuard accepts beside bearer
 * tokens (global, so the guard finds it as COOKIE_AUTHENTICATOR), sign-out and the admin's revoke.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [SessionController],
  providers: [SessionRepository, SessionService, SessionAuthenticator, SessionSweeper, { provide: COOKIE_AUTHENTICATOR, useExisting: SessionAuthenticator }],
  exports: [SessionAuthenticator, SessionRepository, COOKIE_AUTHENTICATOR],
})
export class ConsoleSessionModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries) {
    registry.register(sessionsProjection);
    summaries.register('SessionStarted', (e) => {
      const d = e.data as SessionStartedData;
      return `console session of ${d.name} (${d.role}${d.tenant ? `, tenant ${d.tenant}` : ''}) started from ${d.clientIp || 'an unknown address'}`;
    });
    summaries.register('SessionEnded', (e) => {
      const d = e.data as SessionEndedData;
      return `console session ${d.sessionId.slice(0, 8)}… ended: ${d.reason}${d.detail ? ` (${d.detail})` : ''}`;
    });
  }
}
