import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import type { Clock } from './shared/clock';
import { closeConnectionsOnClose } from './http/close-connections';
import { JsonExceptionFilter } from './http/http-exception.filter';
import { PinoNestLogger } from './shared/logger';
import { rejectUnsafeInput } from './shared/unsafe-input';
import { validationPipe } from './shared/validation';
import { checkKeyFingerprintsAt } from './secrets/key-fingerprints';
import { serverKeys } from './secrets/server-keys';
import { APP_VERSION } from './shared/version';
import { registerConsoleWeb } from './console/web/console-static';

/** Builds the whole application (routes, pipes, OpenAPI) without listening; main.ts and e2e tests share it. */
export async function createApp(config: AppConfig, databaseUrl: string, log: Logger, opts: { clock?: Clock } = {}): Promise<NestFastifyApplication> {
  // A process holding other keys than the database was set up with stops here (ConfigError).
  const keys = serverKeys(config);
  await checkKeyFingerprintsAt(databaseUrl, { tokenHash: keys.tokenHash, auditChain: keys.auditChain });
  const adapter = new FastifyAdapter({
    bodyLimit: config.core.bodyLimitBytes,
    // X-Forwarded-For is believed only from listed proxies: from anyone else it is a client's claim.
    trustProxy: config.core.trustedProxies.length ? config.core.trustedProxies : false,
    // A caller's request id is kept when it is plain visible ASCII: it is stored with every audited action.
    genReqId: (req: import('http').IncomingMessage) => {
      const id = req.headers['x-request-id'];
      return typeof id === 'string' && /^[\x21-\x7e]{1,128}$/.test(id) ? id : crypto.randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl, log, opts.clock), adapter, {
    logger: new PinoNestLogger(log),
    bufferLogs: false,
  });
  // Security headers, cookies and the console's files, before any route is registered.
  await registerConsoleWeb(app, config, log);
  const fastify = app.getHttpAdapter().getInstance();
  rejectUnsafeInput(fastify);
  closeConnectionsOnClose(fastify);
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  fastify.addHook('onResponse', async (req, reply) => {
    // URL without the query string: queries may carry filters, never secrets, but stay terse.
    log.info(
      {
        event: 'http.request',
        requestId: req.id,
        method: req.method,
        path: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new JsonExceptionFilter(log, config.core.dbUnavailableRetryAfterSeconds));
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
