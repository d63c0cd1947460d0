/**
 * `npm run console:screenshots`: builds, starts a seeded service (its own embedded PostgreSQL in a
 * temporary folder, a fake upstream on 127.0.0.1), signs in with Debian's Chromium and captures
 * every console page at 1280 px and at a phone's 390 px into docs/console/.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, signInThroughPage } from '../test/console/browser';
import { consoleEnv, seed, startUpstream } from '../test/console/console-seed';
import { registerFailingSlo, registerHealthySlo, seedHolds } from '../test/console/holds-seed';
import { fillCache, seedToolbelt, toolbeltEnv } from '../test/console/toolbelt-seed';
import { freePort } from '../test/support/free-port';
import { startRedisServer } from '../test/support/redis-server';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs/console');
const PAGES: [string, string, string][] = [
  ['attention', '/', 'instance::eu-2'],
  ['targets', '/targets', 'instance::eu-2'],
  ['target', '/targets/instance::eu-2', 'Why it polls when it does'],
  ['dead-letters', '/dead-letters', 'permanent_failure'],
  ['jobs', '/jobs', 'etl-orders'],
  ['job', '/jobs/etl-orders', 'exit code 2'],
  ['runs', '/runs', 'bulk-import'],
  ['runs-search', '/runs?q=upstream%20answered&state=failed', 'exit code 2'],
  ['failures', '/failures', 'Retry all'],
  ['system', '/system', '90.9 %'],
  ['timeline', '/timeline', 'PollSucceeded'],
  ['audit', '/audit', 'target.register'],
  ['projections', '/projections', 'sessions'],
  ['sessions', '/sessions', 'bootstrap-admin'],
  ['webhooks', '/webhooks', 'TargetRegistered'],
  ['flags', '/flags', 'export.batch-size'],
  ['caches', '/caches', 'Cache pages'],
  ['rate-limits', '/rate-limits', 'backfill after outage'],
  ['maintenance', '/maintenance', 'PostgreSQL 17 upgrade of the globex shard'],
  ['holds', '/holds', 'the SMTP relay is being replaced'],
  ['slo', '/slo', 'slo::failing'],
  ['migrations', '/migrations', 'ConsoleSessions1764000000019'],
];

async function main(): Promise<void> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-shots-'));
  const upstream = await startUpstream();
  const redis = await startRedisServer(await freePort());
  const cacheUrl = `${redis.url}/0`;
  await fillCache(cacheUrl);
  const port = await freePort();
  const token = `olt_${randomBytes(32).toString('base64url')}`;
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      ...consoleEnv(),
      ...toolbeltEnv(cacheUrl),
      PORT: String(port),
      HOST: '127.0.0.1',
      OPSLEDGER_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      OPSLEDGER_ADMIN_TOKEN: token,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 240) throw new Error('the service did not start within 120 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const api = async (method: string, p: string, body?: unknown, tok = token) => {
      const res = await fetch(url + p, {
        method,
        headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    // First: the failing target goes stale 60 s after its registration (breached on the SLO page).
    await registerFailingSlo(api, upstream);
    await registerHealthySlo(api, upstream);
    await seed(api, upstream);
    await seedToolbelt(api, upstream);
    await seedHolds(api);
    // A purge at work, for the caches page.
    await api('POST', '/api/caches/pages/purge', { pattern: 'page:*', reason: 'stale pages after the redesign' });
    // The failing target's objective allows 60 s without a success: once it is stale it is breached (the SLO page shows it).
    for (let i = 0; (await api('GET', '/api/targets/slo::failing/slo')).body.freshness?.state !== 'stale'; i++) {
      if (i > 180) throw new Error('slo::failing did not go stale within 90 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    mkdirSync(OUT, { recursive: true });
    const browser = await launchChromium();
    for (const [width, height, suffix] of [
      [1280, 900, '1280'],
      [390, 844, '390'],
    ] as const) {
      const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      await page.goto(url);
      await page.screenshot({ path: path.join(OUT, `sign-in-${suffix}.png`) });
      await signInThroughPage(page, url, token);
      for (const [name, p, text] of PAGES) {
        await page.goto(url + p);
        await page.getByText(text).filter({ visible: true }).first().waitFor();
        await page.waitForTimeout(400);
        const full = await page.evaluate(
          () => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight,
        );
        await page.screenshot({
          path: path.join(OUT, `${name}-${suffix}.png`),
          fullPage: true,
          clip: { x: 0, y: 0, width, height: Math.min(full, width > 500 ? 1800 : 2400) },
        });
        process.stdout.write(`docs/console/${name}-${suffix}.png\n`);
      }
      await ctx.close();
    }
    await browser.close();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await upstream.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
