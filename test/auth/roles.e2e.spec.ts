import { randomBytes } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { AppModule } from '../../src/app.module';
import { Public } from '../../src/access/public.decorator';
import { CurrentPrincipal, Roles } from '../../src/access/roles.decorator';
import type { Principal, Role } from '../../src/access/roles';
import { loadConfig } from '../../src/config/config';
import { JsonExceptionFilter } from '../../src/http/http-exception.filter';
import { validationPipe } from '../../src/shared/validation';
import { TEST_SERVER_KEYS } from '../support/server-keys';
import { createTestDatabase, TestDatabase } from '../support/test-database';

// Routes at every level, beside the real ones, to check the global guard's role ladder.
@Controller('probe')
class ProbeController {
  @Get('viewer') @Roles('viewer') viewer(@CurrentPrincipal() p: Principal) {
    return p;
  }
  @Get('operator') @Roles('operator') operator() {
    return { ok: true };
  }
  @Get('admin') @Roles('admin') admin() {
    return { ok: true };
  }
  @Get('default') byDefault() {
    return { ok: true };
  }
  @Get('public') @Public() open(@CurrentPrincipal() p?: Principal) {
    return { principal: p ?? null };
  }
}

@Controller('probe-class')
@Roles('operator')
class ClassLevelController {
  @Get() inherited() {
    return { ok: true };
  }
  @Get('viewer') @Roles('viewer') overridden() {
    return { ok: true };
  }
}

describe('role ladder: viewer < operator < admin, admin by default', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  const adminToken = `olt_${randomBytes(32).toString('base64url')}`;
  const tokens: Record<Role, string> = { admin: adminToken, operator: '', viewer: '' };

  const call = async (path: string, token: string | null) => {
    const res = await fetch(url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SERVER_KEYS, DATABASE_URL: db.url, OPSLEDGER_ADMIN_TOKEN: adminToken });
    const log = pino({ level: 'silent' });
    @Module({ imports: [AppModule.forRoot(config, db.url, log)], controllers: [ProbeController, ClassLevelController] })
    class ProbeRoot {}
    app = await NestFactory.create<NestFastifyApplication>(ProbeRoot, new FastifyAdapter(), { logger: false });
    app.useGlobalPipes(validationPipe());
    app.useGlobalFilters(new JsonExceptionFilter(log));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    for (const role of ['operator', 'viewer'] as const) {
      const res = await fetch(`${url}/api/auth/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${role}-probe`, role, reason: 'role ladder test' }),
      });
      expect(res.status).toBe(201);
      tokens[role] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const matrix: [string, Record<Role, number>][] = [
    ['/probe/viewer', { viewer: 200, operator: 200, admin: 200 }],
    ['/probe/operator', { viewer: 403, operator: 200, admin: 200 }],
    ['/probe/admin', { viewer: 403, operator: 403, admin: 200 }],
    ['/probe/default', { viewer: 403, operator: 403, admin: 200 }],
    ['/probe-class', { viewer: 403, operator: 200, admin: 200 }],
    ['/probe-class/viewer', { viewer: 200, operator: 200, admin: 200 }],
  ];
  it.each(matrix)('%s answers %j', async (path, expected) => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const res = await call(path, tokens[role]);
      expect({ role, status: res.status }).toEqual({ role, status: expected[role] });
      if (res.status === 403) expect(res.body.message).toMatch(/needs the (operator|admin) role/);
    }
    expect((await call(path, null)).status).toBe(401);
  });

  it('a viewer calling an operator route is told the role it needs', async () => {
    const res = await call('/probe/operator', tokens.viewer);
    expect(res).toEqual({
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'this needs the operator role or higher; token "viewer-probe" has viewer',
        requiredRole: 'operator',
      },
    });
  });

  it('sets request.principal for the handler', async () => {
    const res = await call('/probe/viewer', tokens.operator);
    expect(res.body).toEqual({ tokenId: expect.any(String), name: 'operator-probe', role: 'operator', tenant: null });
  });

  it('public routes pass with no token and with a bad one', async () => {
    expect(await call('/probe/public', null)).toEqual({ status: 200, body: { principal: null } });
    expect((await call('/probe/public', 'olt_nonsense')).status).toBe(200);
  });
});
