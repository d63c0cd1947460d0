import { request } from 'node:http';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The maintenance gate, walked over every route of the OpenAPI document: for a tenant in each mode,
 * which of its token's requests answer 503 (with the banner and Retry-After, appending nothing),
 * and that another tenant's token and the unscoped admin are never held.
 */

type Mode = 'read_only' | 'offline';
type Outcome = 'held' | 'passes' | 'forbidden';

/** Open in every mode: the maintenance routes (so the tenant's admin can end it) and the public ones (no token, no tenant). */
const NEVER_HELD = new Set([
  'GET /api/maintenance',
  'GET /api/tenants/:tenant/maintenance',
  'PUT /api/tenants/:tenant/maintenance',
  'DELETE /api/tenants/:tenant/maintenance',
  'GET /api/maintenance/:tenant',
  'GET /api/health',
  'GET /api/ops/health',
  'GET /api/ops/plannings',
  // Sign-in is public (the token is in the body, not a principal yet); the session it starts is then held like the token.
  'POST /api/session',
]);
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The rule of docs/api.md, "Per-tenant maintenance", for a token scoped to the tenant in maintenance. */
function expected(mode: Mode, method: string, route: string, rule: string): Outcome {
  if (rule === 'installation') return 'forbidden'; // the tenant-scope guard answers first
  if (NEVER_HELD.has(`${method} ${route}`)) return 'passes';
  if (mode === 'offline') return 'held';
  return WRITES.has(method) && rule === 'tenant' ? 'held' : 'passes';
}

describe('maintenance gate: every route, for a tenant in each mode', () => {
  let t: TestApp;
  let routes: { method: string; route: string; rule: string }[];
  const tokens: Record<string, string> = {};
  const banner = 'Maintenance: back at 14:00 UTC';

  beforeAll(async () => {
    t = await startTestApp({ MAINTENANCE_RETRY_AFTER_SECONDS: '77' });
    const spec = (await t.request('GET', '/api/docs/json', { token: null })).body as { paths: Record<string, Record<string, Record<string, unknown>>> };
    routes = Object.entries(spec.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([m, op]) => ({ method: m.toUpperCase(), route: p.replace(/\{(\w+)\}/g, ':$1'), rule: op['x-tenant-scope'] as string })),
    );
    for (const x of ['acme', 'globex']) {
      const res = await t.request('POST', '/api/auth/tokens', { body: { name: `${x}-admin`, role: 'admin', tenant: x, reason: 'gate walk' } });
      tokens[x] = res.body.token;
    }
  }, 60_000);
  afterAll(async () => t?.close());

  const lastPosition = async () => (await t.db.pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM events')).rows[0].p;
  /**
   * GET /api/stream never ends when it passes: its status and headers, and a refusal's JSON body,
   * read over a connection of its own that is then destroyed (a fetch would hold the app's close).
   */
  const streamStart = (token: string | undefined) =>
    new Promise<{ status: number; body: any; headers: Headers }>((resolve, reject) => {
      const req = request(`${t.url}/api/stream`, { headers: token ? { authorization: `Bearer ${token}` } : {}, agent: false }, (res) => {
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        if (res.statusCode === 200) {
          resolve({ status: 200, body: null, headers });
          req.destroy();
          return;
        }
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers }));
      });
      req.on('error', reject);
      req.end();
    });
  /** The route called for `tenant`: its `:tenant` is the tenant, other parameters name nothing. An empty body: the gate answers before validation. */
  const call = (token: string | undefined, method: string, route: string, tenant: string) =>
    method === 'GET' && route === '/api/stream'
      ? streamStart(token)
      : t.request(method, route.replace(':tenant', tenant).replace(/:\w+/g, 'x'), { token, body: method === 'GET' ? undefined : {} });

  it.each<[Mode, boolean]>([
    ['read_only', true],
    ['offline', false],
  ])(
    '%s (with an endsAt: %s)',
    async (mode, ends) => {
      expect(routes.length).toBeGreaterThan(60);
      const endsAt = ends ? new Date(Date.now() + 3_600_000).toISOString() : undefined;
      const put = await t.request('PUT', '/api/tenants/acme/maintenance', { body: { mode, banner, endsAt, reason: 'gate walk' } });
      expect(put.body.status).toBe('active');

      const table: string[] = [];
      const wrong: string[] = [];
      for (const { method, route, rule } of routes) {
        const want = expected(mode, method, route, rule);
        const before = await lastPosition();
        const res = await call(tokens.acme, method, route, 'acme');
        const got: Outcome = res.status === 503 ? 'held' : res.status === 403 && /whole installation/.test(res.body?.message) ? 'forbidden' : 'passes';
        table.push(`${method} ${route} (${rule}): ${got}`);
        if (got !== want) wrong.push(`${method} ${route} (${rule}): expected ${want}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        if (got === 'held') {
          const retryAfter = Number(res.headers.get('retry-after'));
          if (endsAt ? !(retryAfter > 3500 && retryAfter <= 3600) : retryAfter !== 77) wrong.push(`${method} ${route}: Retry-After ${retryAfter}`);
          if (res.body?.maintenance?.banner !== banner || res.body?.maintenance?.mode !== mode)
            wrong.push(`${method} ${route}: body ${JSON.stringify(res.body)}`);
          if ((await lastPosition()) !== before) wrong.push(`${method} ${route}: a held request appended events`);
        }
        // Another tenant and the installation's admin are never held.
        for (const [who, token, tenant] of [
          ['globex', tokens.globex, 'globex'],
          ['unscoped admin', undefined, 'acme'],
        ] as const) {
          const other = await call(token, method, route, tenant);
          if (other.status === 503) wrong.push(`${method} ${route}: ${who} was held: ${JSON.stringify(other.body).slice(0, 200)}`);
        }
      }
      expect(wrong).toEqual([]);
      // Both outcomes occur: the walk is not vacuous.
      expect(table.filter((l) => l.endsWith(': held')).length).toBeGreaterThan(mode === 'offline' ? 40 : 15);
      expect(table.filter((l) => l.endsWith(': passes')).length).toBeGreaterThan(mode === 'offline' ? 5 : 20);

      // Its admin ends it (a maintenance route stays open); then nothing is held.
      expect((await t.request('DELETE', '/api/tenants/acme/maintenance', { token: tokens.acme, body: { reason: 'gate walk done' } })).status).toBe(200);
      expect((await t.request('GET', '/api/auth/whoami', { token: tokens.acme })).status).toBe(200);
    },
    240_000,
  );
});
