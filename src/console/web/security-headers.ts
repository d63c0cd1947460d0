import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The console's policy: scripts, styles, images and connections from this origin only, no inline
 * script or style element, never framed. Style attributes are not needed either: React and uPlot
 * set styles through the DOM, which CSP does not restrict.
 */
export const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Upgrading would break a console served over plain http on 127.0.0.1.
  upgradeInsecureRequests: null,
};

/**
 * Swagger UI (GET /api/docs) inlines a <style> element and style attributes: its pages get the
 * same policy with 'unsafe-inline' for styles only. Scripts stay 'self' (its init script is a file).
 */
const SWAGGER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** @fastify/helmet on every response (API and console alike). */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP } });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (req, reply) => {
      if (req.url === '/api/docs' || req.url.startsWith('/api/docs/') || req.url.startsWith('/api/docs?'))
        void reply.header('content-security-policy', SWAGGER_CSP);
    });
}
