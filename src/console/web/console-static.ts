import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { consoleDir } from './console-dir';
import { registerSecurityHeaders } from './security-headers';

/** Paths that belong to the API: never answered with the console's page. */
const API_PATH = /^\/(api|metrics)(\/|$|\?)/;

/**
 * Serves the built console at / (same origin as the API, so the session cookie and the CSRF rule
 * cover it), with strict security headers and cookies. Files are public: they hold no data.
 * A path that is not a file is the single-page app's own route: it gets index.html.
 */
export async function registerConsoleWeb(app: NestFastifyApplication, config: AppConfig, log: Logger): Promise<void> {
  await registerSecurityHeaders(app);
  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  const root = consoleDir(config.console.consoleDir);
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) {
    log.warn({ event: 'console.not_built', dir: root }, `the console is not built (no ${indexFile}): run npm run build`);
    fastify.get('/', async (_req, reply) =>
      reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'the console is not built: run `npm run build` (the API is under /api)' }),
    );
    return;
  }
  const index = readFileSync(indexFile);
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    // Vite names every asset by its content hash: they never change, index.html always may.
    setHeaders: (res, file) =>
      void res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  const page = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (API_PATH.test(req.url)) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  fastify.get('/', page);
  fastify.get('/*', page);
}
