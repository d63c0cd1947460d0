/**
 * `npx ts-node --transpile-only bench/auth.bench.ts`: what the bearer-token guard costs per request.
 * One embedded PostgreSQL in a temp dir, the real app on 127.0.0.1, autocannon for BENCH_SECONDS
 * per case. Reference: the public /api/health (no guard work, one SELECT 1). Prints req/s, p99 and
 * the ratio to the reference (mean of a run before and after the others). Loopback only; stops by itself.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pino from 'pino';
import { createApp } from '../src/bootstrap';
import { TEST_SERVER_KEYS } from '../test/support/server-keys';
import { loadConfig } from '../src/config/config';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { ratioOf, runBench, writeResults } from './result-file';
import { freePort } from '../test/support/free-port';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-auth-bench-'));
  const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'bench', log: pino({ level: 'warn' }) });
  const apps: { close(): Promise<void> }[] = [];
  try {
    await runMigrations(db.url);
    const admin = `olt_${randomBytes(32).toString('base64url')}`;
    const start = async (cacheMs: string) => {
      const config = loadConfig({
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        ...TEST_SERVER_KEYS,
        DATABASE_URL: db.url,
        OPSLEDGER_ADMIN_TOKEN: admin,
        AUTH_CACHE_MS: cacheMs,
        RATE_LIMIT_PER_MINUTE: '0',
        PROJECTION_RUNNER_AUTOSTART: 'false',
      });
      const app = await createApp(config, db.url, pino({ level: 'silent' }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      apps.push(app);
      return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    };
    const cached = await start('1000');
    const uncached = await start('0');
    const res = await fetch(`${cached}/api/auth/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', role: 'viewer', reason: 'bench' }),
    });
    const viewer = ((await res.json()) as { token: string }).token;

    const run = async (label: string, url: string, token: string | null, expect: number) => {
      // A short unmeasured pass first, so JIT warm-up does not land on whichever case runs first.
      await autocannon({ url, connections: CONNECTIONS, duration: 1, headers: token ? { authorization: `Bearer ${token}` } : {} });
      const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: token ? { authorization: `Bearer ${token}` } : {} });
      const wrong = r.statusCodeStats
        ? Object.entries(r.statusCodeStats)
            .filter(([code]) => Number(code) !== expect)
            .reduce((n, [, s]) => n + (s as { count: number }).count, 0)
        : 0;
      return { label, rps: r.requests.average, p99: r.latency.p99, errors: r.errors + wrong };
    };
    const rows = [
      await run('reference: GET /api/health (public)', `${cached}/api/health`, null, 200),
      await run('whoami, token cached (AUTH_CACHE_MS=1000)', `${cached}/api/auth/whoami`, viewer, 200),
      await run('whoami, lookup per request (AUTH_CACHE_MS=0)', `${uncached}/api/auth/whoami`, viewer, 200),
      await run('unknown token → 401 (lookup per request)', `${cached}/api/auth/whoami`, `olt_${'x'.repeat(43)}`, 401),
    ];
    // The reference runs first and last; its mean absorbs drift on a shared machine.
    const again = await run('reference again: GET /api/health', `${cached}/api/health`, null, 200);
    rows.push(again);
    const ref = (rows[0].rps + again.rps) / 2;
    console.log(`auth guard bench: ${SECONDS}s per case, ${CONNECTIONS} connections, node ${process.version}`);
    for (const r of rows)
      console.log(
        `${r.label.padEnd(48)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(3)} ms  ratio ${(r.rps / ref).toFixed(2)}x  unexpected ${r.errors}`,
      );
    writeResults(
      'auth',
      rows.slice(1, 3).map((r) => ({
        work: r.label,
        figure: Math.round(r.rps),
        unit: 'req/s',
        reference: 'public health (one SELECT 1)',
        referenceFigure: Math.round(ref),
        ratio: ratioOf(r.rps, ref),
        goal: null,
      })),
      { rows },
    );
  } finally {
    for (const a of apps) await a.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('auth', main);
