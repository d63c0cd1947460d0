import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { isDatabaseUnavailable } from '../shared/database-unavailable';
import { rejectionOf, rejectionResponse } from './rejection-status';

/**
 * Every error leaves as JSON; unexpected ones are logged with the request id, their details never
 * sent. PostgreSQL being unreachable is not a bug of the request: 503 with Retry-After, and the
 * pool reconnects by itself once the server is back.
 */
@Catch()
export class JsonExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly log: Logger,
    private readonly dbRetryAfterSeconds = 5,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    // A command the rules refused (a decider's Rejection): 400/403/404/409, mapped here only.
    const rejection = rejectionOf(exception);
    if (rejection) {
      const { status, body } = rejectionResponse(rejection);
      void reply.status(status).send(body);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      // An exception may carry response headers (e.g. Retry-After) under `headers`: sent as headers, not in the body.
      const { headers, ...json } = (typeof body === 'string' ? { statusCode: status, message: body } : body) as Record<string, unknown>;
      if (headers && typeof headers === 'object') reply.headers(headers as Record<string, string>);
      void reply.status(status).send(json);
      return;
    }
    // The safety net for concurrent writers: a command that did not re-decide (or ran out of
    // retries) answers 409 and the client may retry; never a 500.
    if (exception instanceof ExpectedVersionConflict) {
      this.log.warn(
        { event: 'http.write_conflict', requestId: req.id, method: req.method, path: req.url.split('?')[0], stream: exception.streamId },
        'concurrent change',
      );
      const what = /^([a-z_]+)-/.exec(exception.streamId)?.[1] ?? 'the data';
      void reply.status(409).send({
        statusCode: 409,
        error: 'Conflict',
        message: `${what} changed concurrently while this request was decided; nothing was changed, retry the request`,
      });
      return;
    }
    const e = exception as { statusCode?: number; message?: string; code?: string };
    // Fastify's own errors (body too large, bad JSON) carry a 4xx statusCode.
    if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      void reply.status(e.statusCode).send({ statusCode: e.statusCode, error: e.code ?? 'Bad Request', message: e.message });
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      this.log.warn(
        { event: 'http.database_unavailable', requestId: req.id, method: req.method, path: req.url.split('?')[0], err: String(e?.message ?? exception) },
        'database unavailable',
      );
      void reply
        .status(503)
        .header('retry-after', String(this.dbRetryAfterSeconds))
        .send({
          statusCode: 503,
          error: 'Service Unavailable',
          message: `the database cannot be reached right now; retry after ${this.dbRetryAfterSeconds} s`,
        });
      return;
    }
    this.log.error({ event: 'http.unhandled_error', requestId: req.id, method: req.method, url: req.url, err: exception }, 'unhandled error');
    void reply.status(500).send({ statusCode: 500, error: 'Internal Server Error', message: `unexpected error; see the server log for request ${req.id}` });
  }
}
