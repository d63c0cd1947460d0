import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';

/** Every error leaves as JSON; unexpected ones are logged with the request id, their details never sent. */
@Catch()
export class JsonExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const json = typeof body === 'string' ? { statusCode: status, message: body } : body;
      for (const [k, v] of Object.entries(exception.getResponse() as object)) if (k === 'headers') reply.headers(v as Record<string, string>);
      void reply.status(status).send(json);
      return;
    }
    // The safety net for concurrent writers: a command that did not re-decide (or ran out of
    // retries) answers 409 and the client may retry; never a 500.
    if (exception instanceof ExpectedVersionConflict) {
      this.log.warn({ event: 'http.write_conflict', requestId: req.id, method: req.method, url: req.url, stream: exception.streamId }, 'concurrent change');
      const what = /^([a-z_]+)-/.exec(exception.streamId)?.[1] ?? 'the data';
      void reply.status(409).send({ statusCode: 409, error: 'Conflict', message: `${what} changed concurrently while this request was decided; nothing was changed, retry the request` });
      return;
    }
    const e = exception as { statusCode?: number; message?: string; code?: string };
    // Fastify's own errors (body too large, bad JSON) carry a 4xx statusCode.
    if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      void reply.status(e.statusCode).send({ statusCode: e.statusCode, error: e.code ?? 'Bad Request', message: e.message });
      return;
    }
    this.log.error({ event: 'http.unhandled_error', requestId: req.id, method: req.method, url: req.url, err: exception }, 'unhandled error');
    void reply.status(500).send({ statusCode: 500, error: 'Internal Server Error', message: `unexpected error; see the server log for request ${req.id}` });
  }
}
