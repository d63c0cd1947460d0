import { TEST_SERVER_KEYS } from '../support/server-keys';
import { randomBytes } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { AppModule, FEATURE_MODULES } from '../../src/app.module';
import { Roles } from '../../src/access/roles.decorator';
import { controllersOf, routeScopes } from '../../src/auth/route-scopes';
import { TenantScope } from '../../src/access/tenant-scope.decorator';
import { tenantScopeTableMarkdown } from '../../src/auth/tenant-scope-table';
import { loadConfig } from '../../src/config/config';
import { JsonExceptionFilter } from '../../src/http/http-exception.filter';
import { validationPipe } from '../../src/shared/validation';
import { createTestDatabase, TestDatabase } from '../support/test-database';

// Beside the real routes: one per rule, and one a developer forgot to declare.
@Controller('probe-scope')
class ProbeController {
  @Get('tenant') @Roles('viewer') @TenantScope('tenant', 'probe') tenant() {
    return { ok: true };
  }
  @Get('installation') @Roles('viewer') @TenantScope('installation', 'probe') installation() {
    return { ok: true };
  }
  @Get('shared') @Roles('viewer') @TenantScope('shared', 'probe') shared() {
    return { ok: true };
  }
  @Get('forgotten') @Roles('viewer') forgotten() {
    return { ok: true };
  }
}

describe('every route declares its tenant rule; an undeclared one fails closed', () => {
  it('every route of the application declares one (read from the controllers, no server needed)', () => {
    const routes = routeScopes(controllersOf(FEATURE_MODULES));
    expect(routes.length).toBeGreaterThan(35);
    expect(routes.filter((r) => !r.scope).map((r) => `${r.method} ${r.path} (${r.handler})`)).toEqual([]);
  });

  it('a route without @TenantScope is reported by name, and the docs table refuses to list it', () => {
    const routes = routeScopes([ProbeController]);
    expect(routes.filter((r) => !r.scope).map((r) => `${r.method} ${r.path} (${r.handler})`)).toEqual([
      'GET /probe-scope/forgotten (ProbeController.forgotten)',
    ]);
    expect(() => tenantScopeTableMarkdown(routes)).toThrow('routes without @TenantScope: GET /probe-scope/forgotten (ProbeController.forgotten)');
  });

  describe('over HTTP', () => {
    let db: TestDatabase;
    let app: NestFastifyApplication;
    let url: string;
    const adminToken = `olt_${randomBytes(32).toString('base64url')}`;
    let scoped = '';
    const call = async (path: string, token: string) => {
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as any };
    };

    beforeAll(async () => {
      db = await createTestDatabase();
      const config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        ...TEST_SERVER_KEYS,
        DATABASE_URL: db.url,
        OPSLEDGER_ADMIN_TOKEN: adminToken,
        RATE_LIMIT_PER_MINUTE: '0',
      });
      const log = pino({ level: 'silent' });
      @Module({ imports: [AppModule.forRoot(config, db.url, log)], controllers: [ProbeController] })
      class ProbeRoot {}
      app = await NestFactory.create<NestFastifyApplication>(ProbeRoot, new FastifyAdapter(), { logger: false });
      app.useGlobalPipes(validationPipe());
      app.useGlobalFilters(new JsonExceptionFilter(log));
      await app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const res = await fetch(`${url}/api/auth/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'acme-viewer', role: 'viewer', tenant: 'acme', reason: 'scope probe' }),
      });
      expect(res.status).toBe(201);
      scoped = ((await res.json()) as { token: string }).token;
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it.each([
      ['tenant', 200],
      ['shared', 200],
      ['installation', 403],
      ['forgotten', 403],
    ])('GET /probe-scope/%s: %i for a tenant-scoped token, 200 for an unscoped one', async (route, status) => {
      const res = await call(`/probe-scope/${route}`, scoped);
      expect(res.status).toBe(status);
      if (status === 403)
        expect(res.body).toEqual({
          statusCode: 403,
          error: 'Forbidden',
          message: 'this acts on the whole installation, not one tenant: it needs a token without a tenant; token "acme-viewer" is scoped to tenant "acme"',
          tenant: 'acme',
        });
      expect((await call(`/probe-scope/${route}`, adminToken)).status).toBe(200);
    });
  });
});
