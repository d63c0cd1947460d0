import { BeforeApplicationShutdown, Controller, Get, Headers, Inject, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags, ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { Roles } from '../../access/roles.decorator';
import { CallerTenant, TenantScope } from '../../access/tenant-scope.decorator';
import { bearerToken } from '../../auth/bearer-token';
import { TokenLookup } from '../../auth/token-lookup';
import { tokenStatus } from '../../auth/token-status';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import type { SessionRequest } from '../session/session-authenticator';
import { expiryOf } from '../session/session-expiry';
import { SessionRepository } from '../session/session-repository';
import { EVENT_STORE, EventStore, Subscription } from '../../event-store/event-store.port';
import { Clock, CLOCK } from '../../shared/clock';
import { BadInput } from '../../shared/errors';
import { LOGGER } from '../../shared/logger';
import { EventSummaries } from '../../timeline/event-summaries';
import { changeMessage, sseFrame, visibleTo } from './change-message';

const CHECKPOINT = /^\d{1,20}:\d{1,20}$/;
const RETRY_MS = 3000;

/**
 * Server-sent events: one `change` message per event of the log the caller may see (the timeline's
 * tenant rule), in commit order, each with the log checkpoint as its id. A reconnect's
 * Last-Event-ID resumes right after that event, so nothing is missed while the console was away.
 */
@ApiTags('console')
@Controller('api/stream')
export class StreamController implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly summaries: EventSummaries,
    private readonly sessions: SessionRepository,
    private readonly tokens: TokenLookup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Get()
  @Roles('viewer')
  @ApiBearerAuth()
  @ApiCookieAuth()
  @TenantScope('tenant', "the tenant's events only (the timeline's rule), whatever it asks for")
  @ApiOperation({
    summary:
      'Server-sent events (text/event-stream): a `change` message per event of the log the caller may see, id = the log checkpoint. Send Last-Event-ID to resume after it; without it the stream starts at the head (a `ready` message carries its id). A `: keep-alive` comment every STREAM_HEARTBEAT_MS.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last message received (a log checkpoint, e.g. 841:77)' })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description:
      'id: 841:77\nevent: change\ndata: {"position":"77","type":"PollSucceeded","stream":"target-instance::eu-1","tenant":"acme","at":"2026-11-25T13:40:15.053Z","actor":"system","summary":"instance::eu-1 poll ok: 200 in 12 ms"}',
  })
  async stream(@Req() req: SessionRequest, @Res() reply: FastifyReply, @CallerTenant() tenant: string | null, @Headers('last-event-id') lastEventId?: string) {
    if (lastEventId !== undefined && !CHECKPOINT.test(lastEventId.trim()))
      throw BadInput.field('Last-Event-ID', 'must be the id of a message of this stream (a log checkpoint such as 841:77)');
    const resume = lastEventId?.trim() || null;
    const from = resume ?? (await this.store.head())?.checkpoint ?? null;
    const bearer = bearerToken(req.headers.authorization);
    const sessionId = bearer ? null : (req.consoleSession?.sessionId ?? null);

    reply.hijack();
    const raw = reply.raw;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = Array.isArray(v) ? v : String(v);
    // Connection: close — the stream ends only when the server stops or the session ends, and then its
    // connection must go with it: kept alive, an ended stream's idle socket held the server's close
    // for its keep-alive timeout (72 s), as the server had already reaped the idle ones.
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'close',
    });
    raw.write(`retry: ${RETRY_MS}\n` + sseFrame(from, 'ready', { resumedFrom: resume, tenant }));

    let closed = false;
    let subscription: Subscription | null = null;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      this.open.delete(stop);
      void subscription?.stop();
      if (!raw.writableEnded) raw.end();
    };
    // At shutdown, a client that stopped reading (writes piling up) would never let the end go out: cut it.
    const stop = () => {
      close();
      if (raw.writableNeedDrain) raw.destroy();
    };
    this.open.add(stop);
    raw.on('close', close);

    // The stream lives as long as what let it in: an ended session or a revoked token closes it.
    const stillAllowed = async (): Promise<string | null> => {
      if (sessionId) {
        const s = await this.sessions.byId(sessionId);
        if (!s || s.row.endedAt) return `session ended (${s?.row.endReason ?? 'unknown'})`;
        const why = expiryOf(s, this.clock.now());
        return why ? `session ended (${why.reason})` : null;
      }
      if (bearer) {
        const row = await this.tokens.byToken(bearer);
        if (!row || tokenStatus(row, this.clock.now()) !== 'active') return 'token no longer valid';
      }
      return null;
    };
    const heartbeat = setInterval(() => {
      void stillAllowed().then(
        (ended) => {
          if (closed) return;
          if (ended) {
            raw.write(sseFrame(null, 'session-ended', { reason: ended }));
            close();
          } else raw.write(': keep-alive\n\n');
        },
        () => undefined,
      );
    }, this.config.console.streamHeartbeatMs);
    heartbeat.unref();

    subscription = this.store.subscribe({
      from,
      batchSize: 200,
      onBatch: async (events) => {
        if (closed) return;
        let out = '';
        for (const e of events) if (visibleTo(tenant, e)) out += sseFrame(e.checkpoint, 'change', changeMessage(e, this.summaries.summarize(e)));
        // An id alone moves the browser's Last-Event-ID past events this caller may not see.
        const last = events[events.length - 1];
        if (!visibleTo(tenant, last)) out += `id: ${last.checkpoint}\n\n`;
        raw.write(out);
      },
      onError: (err) =>
        this.log.warn({ event: 'stream.read_failed', err: err instanceof Error ? err.message : String(err) }, 'the event stream could not read the log'),
    });
  }

  /** Open streams would hold the HTTP server open: end them (and their connections) before it closes. */
  beforeApplicationShutdown(): void {
    for (const stop of [...this.open]) stop();
  }
}
