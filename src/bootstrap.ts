import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { JsonExceptionFilter } from './shared/http-exception.filter';
import { PinoNestLogger } from './shared/logger';
import { validationPipe } from './shared/validation';
import { checkKeyFingerprintsAt } from './secrets/key-fingerprints';
import { serverKeys } from './secrets/server-keys';
import { APP_VERSION } from './shared/version';

/** Builds the whole application (routes, pipes, OpenAPI) without listening; main.ts and e2e tests share it. */
export async function createApp(config: AppConfig, databaseUrl: string, log: Logger): Promise<NestFastifyApplication> {
  // A process holding other keys than the database was set up with stops here (ConfigError).
  const keys = serverKeys(config);
  await checkKeyFingerprintsAt(databaseUrl, { tokenHash: keys.tokenHash, auditChain: keys.auditChain });
  const adapter = new FastifyAdapter({
    bodyLimit: config.core.bodyLimitBytes,
    trustProxy: true,
    genReqId: (req: import('http').IncomingMessage) => (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 128 ? req.headers['x-request-id'] : crypto.randomUUID()),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl, log), adapter, {
    logger: new PinoNestLogger(log),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  fastify.addHook('onResponse', async (req, reply) => {
    // URL without the query string: queries may carry filters, never secrets, but stay terse.
    log.info({ event: 'http.request', requestId: req.id, method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new JsonExceptionFilter(log));
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('opsledger')
      .setDescription('Event-sourced operations backend for background work')
      .setVersion(APP_VERSION)
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-ops-token' }, 'ops-token')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs/json' });
  return app;
}
