import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A small installation for the console's browser tests and screenshots: real HTTP targets on
 * 127.0.0.1 (healthy, failing, refusing credentials), command jobs that succeed, fail, run long
 * or may not be run by hand, and runs that pile up.
 */
export interface FakeUpstream {
  readonly base: string;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<FakeUpstream> {
  const server: Server = createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (p === '/unauthorized') return res.writeHead(401).end();
    return res.writeHead(503).end();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const node = process.execPath;
const js = (code: string) => ({ kind: 'command', argv: [node, '-e', code] });

/** OPSLEDGER_CONFIG with the jobs (targets are registered through the API, as an operator would). */
export function consoleConfigFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'opsledger-console-')), 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        {
          name: 'nightly-report',
          description: 'Builds the nightly usage report (expires after 2 h in the queue)',
          owner: 'analytics',
          schedule: '0 2 * * *',
          priority: 'high',
          targetDuration: '1m',
          expiresAfter: '2h',
          maxAttempts: 1,
          handler: js('console.log("report rows: 1204")'),
        },
        {
          name: 'etl-orders',
          description: 'Copies new orders to the warehouse',
          owner: 'data',
          schedule: 'on-demand',
          maxAttempts: 1,
          params: ['tenant', 'dryRun', 'timeRange', 'custom'],
          handler: js(
            'const p = JSON.parse(process.env.OPSLEDGER_PARAMS || "{}"); console.log("orders synced", JSON.stringify(p)); if (p.fail) { console.error("upstream answered 502"); process.exit(2); }',
          ),
        },
        {
          name: 'flaky-sync',
          description: 'Syncs CRM contacts',
          schedule: 'on-demand',
          maxAttempts: 1,
          handler: js('console.error("CRM API: 429 too many requests"); process.exit(1)'),
        },
        {
          name: 'bulk-import',
          description: 'Imports partner catalogues',
          schedule: 'on-demand',
          priority: 'low',
          cancellable: true,
          params: ['custom'],
          timeout: '10m',
          maxAttempts: 1,
          handler: js('setTimeout(() => console.log("imported"), 3600000)'),
        },
        {
          name: 'ledger-close',
          description: 'Closes the month in the ledger',
          schedule: '0 0 1 * *',
          manualRun: false,
          maxAttempts: 1,
          handler: js('console.log("closed")'),
        },
        {
          name: 'acme-billing',
          description: 'Invoices for Acme',
          schedule: 'on-demand',
          tenant: 'acme',
          maxAttempts: 1,
          handler: js('console.log("invoiced acme")'),
        },
      ],
    }),
  );
  return file;
}

/** The environment of the seeded service: fast polling, a breaker that opens after two failures and stays open. */
export function consoleEnv(): Record<string, string> {
  return {
    OPSLEDGER_CONFIG: consoleConfigFile(),
    POLL_MIN_INTERVAL_SECONDS: '1',
    POLL_DEFAULT_INTERVAL_SECONDS: '2',
    BREAKER_FAILURE_THRESHOLD: '2',
    BREAKER_OPEN_BASE_MS: '600000',
    DEAD_LETTER_STREAK: '1000',
    QUIET_HOURS: 'off',
    WORKER_CONCURRENCY: '2',
    WORKER_POLL_MS: '100',
    WORKER_HEARTBEAT_MS: '1000',
    EGRESS_ALLOW: '127.0.0.1',
  };
}

export type Api = (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`seed: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Seeded {
  readonly viewerToken: string;
  readonly operatorToken: string;
  readonly acmeToken: string;
  /** An instant after the first seed, before bulk-import piled up and before instance::late was registered. */
  readonly before: string;
}

const ok = async (p: Promise<{ status: number; body: any }>, what: string) => {
  const r = await p;
  if (r.status >= 300) throw new Error(`seed: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};

export async function seed(api: Api, upstream: FakeUpstream): Promise<Seeded> {
  const target = (name: string, urlPath: string, extra: Record<string, unknown> = {}) =>
    ok(
      api('POST', '/api/targets', {
        type: name.startsWith('pbs') ? 'pbs' : 'instance',
        name: name.replace(/^pbs-/, ''),
        probe: { kind: 'http', url: `${upstream.base}${urlPath}` },
        intervalSeconds: 2,
        adaptive: false,
        reason: 'onboarding',
        ...extra,
      }),
      `register ${name}`,
    );
  await target('eu-1', '/ok', { displayName: 'EU primary' });
  await target('eu-2', '/fail', { displayName: 'EU secondary' });
  await target('pbs-backup-1', '/unauthorized', { displayName: 'Backup server' });
  await target('lab-1', '/ok');
  await target('acme-1', '/ok', { tenant: 'acme' });
  await ok(api('PATCH', '/api/targets/instance::lab-1', { paused: true, reason: 'lab rewiring' }), 'pause lab-1');

  const token = async (name: string, role: string, tenant?: string) =>
    (await ok(api('POST', '/api/auth/tokens', { name, role, reason: 'console seed', ...(tenant ? { tenant } : {}) }), `token ${name}`)).token as string;
  const viewerToken = await token('wall-screen', 'viewer');
  const operatorToken = await token('ann', 'operator');
  const acmeToken = await token('acme-ops', 'operator', 'acme');

  const run = (job: string, params: Record<string, unknown> = {}) =>
    ok(api('POST', `/api/jobs/${job}/run`, { reason: 'console seed', params }, operatorToken), `run ${job}`);
  for (let i = 0; i < 10; i++) await run('etl-orders', { batch: i });
  await run('etl-orders', { fail: true });
  await run('flaky-sync');
  await run('nightly-report');
  await ok(api('POST', '/api/jobs/acme-billing/run', { reason: 'month end', params: {} }, acmeToken), 'run acme-billing');
  await until('seed runs to finish', async () => {
    const r = await api('GET', '/api/runs?limit=100');
    const runs = r.body.runs as { state: string }[];
    return runs.length >= 14 && runs.every((x) => ['succeeded', 'failed'].includes(x.state));
  });
  await until('breaker of eu-2 to open and backup-1 to be dead-lettered', async () => {
    const t = (await api('GET', '/api/targets')).body.targets as { key: string; breaker: { state: string }; deadLetter: { present: boolean } }[];
    return t.find((x) => x.key === 'instance::eu-2')?.breaker.state === 'open' && t.find((x) => x.key === 'pbs::backup-1')?.deadLetter.present;
  });
  // The time slider moves in steps of 3.6 s (an hour in 1000): leave room on both sides of `before`.
  await new Promise((r) => setTimeout(r, 4000));
  const before = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < 14; i++) await run('bulk-import', { partner: `p${i}` });
  await target('late', '/ok', { displayName: 'Registered late' });
  return { viewerToken, operatorToken, acmeToken, before };
}
