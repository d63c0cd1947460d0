import { Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { ExpectedVersionConflict } from '../../src/event-store/expected-version-conflict.error';
import { JsonExceptionFilter } from '../../src/http/http-exception.filter';

/** A command that lets a concurrent writer's conflict escape, as any future one might. */
@Controller('escape')
class EscapingController {
  @Post()
  act(): never {
    throw new ExpectedVersionConflict('target-instance::eu-1', 4n, 5n);
  }
}

@Module({ controllers: [EscapingController] })
class EscapingModule {}

/**
 * The safety net: an ExpectedVersionConflict that reaches the HTTP layer (a command that does not
 * re-decide, or ran out of retries) answers 409 with a message saying nothing changed and to retry —
 * through the service's own exception filter on a real Fastify server — never 500.
 */
describe('a write conflict reaching the HTTP layer', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(EscapingModule, new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new JsonExceptionFilter(pino({ level: 'silent' })));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => app?.close());

  it('answers 409 naming what changed, never 500', async () => {
    const res = await fetch(`${url}/escape`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'target changed concurrently while this request was decided; nothing was changed, retry the request',
    });
  });
});
