import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import type { Clock } from '../../src/shared/clock';
import { REDACT } from '../../src/shared/logger';
import { TEST_EGRESS_ALLOW } from './test-egress';
import { TEST_SERVER_KEYS } from './server-keys';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  readonly app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly db: TestDatabase;
  /** Bootstrap admin bearer token (OPSLEDGER_ADMIN_TOKEN). */
  readonly adminToken: string;
  /** fetch against the app, JSON in and out, with the admin token unless `token` says otherwise. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The real application on a fresh database, listening on 127.0.0.1 with a random port.
 * `env` overrides the environment (timings, modes); nothing from the caller's shell leaks in
 * except what is passed. EGRESS_ALLOW opens 127.0.0.1 for the tests' fake targets unless `env`
 * says otherwise (`EGRESS_ALLOW: ''` runs with the default policy). `options.clock` replaces the
 * app's CLOCK (a TestClock the test moves).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  existingDb?: TestDatabase,
  options: { logDestination?: pino.DestinationStream; clock?: Clock } = {},
): Promise<TestApp> {
  const db = existingDb ?? (await createTestDatabase(30));
  const adminToken = env.OPSLEDGER_ADMIN_TOKEN ?? `olt_${randomBytes(24).toString('base64url')}`;
  // Rate limiting (of requests and of failed authentications) is off unless a test turns it on:
  // many tests send bursts of requests, or bad tokens on purpose.
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PROJECTION_POLL_MS: '50',
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_FAILURE_LIMIT: '0',
    // Tests read a body right after they act: live bodies are built per request unless a test
    // turns the read cache on (test/health/read-cache.e2e.spec.ts).
    READ_CACHE_INTERVAL_MS: '0',
    EGRESS_ALLOW: TEST_EGRESS_ALLOW,
    ...TEST_SERVER_KEYS,
    ...env,
    DATABASE_URL: db.url,
    OPSLEDGER_ADMIN_TOKEN: adminToken,
  });
  // With a destination (tests that read the log), the production redaction applies as in createLogger.
  const log = options.logDestination
    ? pino({ level: config.core.logLevel, base: { service: 'opsledger' }, redact: { paths: REDACT, censor: '[redacted]' } }, options.logDestination)
    : pino({ level: config.core.logLevel });
  const app = await createApp(config, db.url, log, { clock: options.clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    db,
    adminToken,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const token = opts.token === undefined ? adminToken : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await app.close();
      if (!existingDb) await db.drop();
    },
  };
}
